import { createServer, request as httpRequest, Server } from 'node:http';
import { connect, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A forward proxy on loopback, as a private network puts between the gateway and the internet:
 * CONNECT tunnels (what undici's proxy agents open) and plain absolute-URI requests. It records
 * every target it relays, and the Proxy-Authorization it was given.
 */
export class ForwardProxy {
  readonly relayed: { method: string; target: string; authorization?: string }[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      this.relayed.push({
        method: req.method ?? 'GET',
        target: req.url ?? '',
        authorization: req.headers['proxy-authorization'],
      });
      const url = new URL(req.url ?? '');
      const upstream = httpRequest(
        url,
        { method: req.method, headers: { ...req.headers, host: url.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    this.server.on('connect', (req, client: Socket, head: Buffer) => {
      this.relayed.push({
        method: 'CONNECT',
        target: req.url ?? '',
        authorization: req.headers['proxy-authorization'],
      });
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      this.sockets.add(client).add(upstream);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
