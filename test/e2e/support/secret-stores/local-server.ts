import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** The test CA (tls/ca.pem) that signed tls/server.pem (localhost, 127.0.0.1). */
export const TEST_CA_FILE = join(__dirname, 'tls', 'ca.pem');

export type Handler = (
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
) => void | Promise<void>;

/** A loopback HTTP (or HTTPS, with the test CA's certificate) server for one fake store. */
export class LocalServer {
  private server?: Server;
  url = '';

  constructor(
    private readonly handler: Handler,
    private readonly tls = false,
  ) {}

  async start(): Promise<string> {
    const listener = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void Promise.resolve(this.handler(req, Buffer.concat(chunks).toString('utf8'), res)).catch(
          (error: unknown) => {
            res.writeHead(500).end(String(error));
          },
        );
      });
    };
    this.server = this.tls
      ? createHttpsServer(
          {
            cert: readFileSync(join(__dirname, 'tls', 'server.pem')),
            key: readFileSync(join(__dirname, 'tls', 'server-key.pem')),
          },
          listener,
        )
      : createHttpServer(listener);
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${this.tls ? 'https' : 'http'}://${this.tls ? 'localhost' : '127.0.0.1'}:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
