import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedPost {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  at: number;
}

export interface HttpReceiver {
  url: string;
  received: ReceivedPost[];
  /** `ok` answers as the provider does; `fail` answers 503; `hang` never answers. */
  mode: 'ok' | 'fail' | 'hang';
  posts(path: string): ReceivedPost[];
  stop(): Promise<void>;
}

/** What each provider answers a good request with (their documented success replies). */
const SUCCESS: Record<string, { status: number; body: string; type: string }> = {
  '/slack': { status: 200, body: 'ok', type: 'text/plain' },
  '/teams': { status: 202, body: '', type: 'text/plain' },
  '/pagerduty/v2/enqueue': {
    status: 202,
    body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }),
    type: 'application/json',
  },
};

/**
 * One loopback HTTP server standing in for Slack's incoming webhooks (`/slack`), a Teams
 * workflow (`/teams`), PagerDuty's Events API (`/pagerduty/v2/enqueue`) and a webhook receiver
 * (`/hook`): it records every POST and answers as the real one does.
 */
export async function startHttpReceiver(host = '127.0.0.1'): Promise<HttpReceiver> {
  const received: ReceivedPost[] = [];
  const sockets = new Set<Socket>();
  const receiver = { mode: 'ok' } as HttpReceiver;
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // kept raw: the test then fails on the shape
      }
      received.push({ path: req.url ?? '/', headers: req.headers, raw, body, at: Date.now() });
      if (receiver.mode === 'hang') return;
      if (receiver.mode === 'fail') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
        return;
      }
      const answer = SUCCESS[req.url ?? ''] ?? {
        status: 200,
        body: '{}',
        type: 'application/json',
      };
      res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://${host}:${port}`,
    received,
    posts: (path: string) => received.filter((r) => r.path === path),
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Headers unfolded, so a long Subject reads on one line. */
  raw: string;
  subject: string;
  /** Whether the mail came over TLS (implicit, or after STARTTLS). */
  secure: boolean;
}

/**
 * A real SMTP server (the smtp-server package) on loopback, keeping each mail it accepts: plain
 * (no STARTTLS offered), offering STARTTLS, or TLS from the first byte (`implicit`), with the
 * certificate given.
 */
export async function startSmtpReceiver(tls?: {
  mode: 'starttls' | 'implicit';
  key: string;
  cert: string;
}): Promise<{
  url: string;
  mails: ReceivedMail[];
  stop(): Promise<void>;
}> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    ...(tls
      ? { key: tls.key, cert: tls.cert, secure: tls.mode === 'implicit' }
      : { disabledCommands: ['STARTTLS'] }),
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: unfolded,
          subject: /^Subject: (.*)$/m.exec(unfolded)?.[1]?.trim() ?? '',
          secure: session.secure,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `${tls?.mode === 'implicit' ? 'smtps' : 'smtp'}://127.0.0.1:${port}`,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` (sync or async) every 50 ms until it gives a value. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
