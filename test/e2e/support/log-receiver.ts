import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import type { LogRecord } from '../../../src/request-logs/log-record';

export interface ReceivedBatch {
  at: number;
  path: string;
  headers: IncomingMessage['headers'];
  records: LogRecord[];
  /** What the receiver answered. */
  status: number;
}

export interface LogReceiver {
  url: string;
  /** Every POST, accepted or not, in arrival order. */
  batches: ReceivedBatch[];
  /** Signature or auth failures (they are answered 401 and never accepted). */
  refused: string[];
  stop(): Promise<void>;
}

export interface ReceiverOptions {
  secret: string;
  /** The Authorization header every batch must carry. */
  authorization?: string;
  /** Answers 503 to the first N well-signed batches on `/ingest` (to see the retries). */
  failFirst?: number;
}

/**
 * A SIEM-like ingest endpoint on loopback, checking what the README tells receivers to check: the
 * HMAC-SHA256 signature over `<t>.<body>` in constant time, a fresh timestamp, and the auth header.
 * `/ingest` accepts (after `failFirst` 503s); `/always-500` never does.
 */
export async function startLogReceiver(options: ReceiverOptions): Promise<LogReceiver> {
  const batches: ReceivedBatch[] = [];
  const refused: string[] = [];
  let toFail = options.failFirst ?? 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const answer = (status: number) => {
        batches.push({
          at: Date.now(),
          path: request.url ?? '',
          headers: request.headers,
          records: raw
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as LogRecord),
          status,
        });
        response.writeHead(status).end();
      };
      const problem = check(request, raw, options);
      if (problem) {
        refused.push(problem);
        response.writeHead(401).end();
        return;
      }
      if (request.url === '/always-500') return answer(500);
      if (toFail > 0) {
        toFail--;
        return answer(503);
      }
      answer(200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    batches,
    refused,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The receiver side of the HTTP sink's contract; a string says what is wrong. */
export function check(
  request: IncomingMessage,
  rawBody: string,
  options: ReceiverOptions,
): string | undefined {
  if (options.authorization && request.headers.authorization !== options.authorization)
    return 'authorization';
  if (request.headers['content-type'] !== 'application/x-ndjson') return 'content-type';
  const header = request.headers['x-gateway-signature'];
  if (typeof header !== 'string') return 'no signature';
  const [t, v1] = header.split(',').map((part) => part.split('=')[1]);
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return 'stale timestamp';
  const expected = createHmac('sha256', options.secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(v1 ?? '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature';
  return undefined;
}

/**
 * A dead sink at its worst: a TCP port that accepts connections and never answers a byte, so a
 * client waits for its own timeout. `connections` counts the connections it swallowed.
 */
export async function startBlackHole(): Promise<{
  url: string;
  connections: () => number;
  stop(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createTcpServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
