import { createServer, request, type Server } from 'node:http';
import { connect as http2Connect, createServer as createH2cServer } from 'node:http2';
import { connect, type AddressInfo } from 'node:net';
import { OpenResponses } from './open-responses';

/** Waits until `done` says so (checked every 5 ms). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('OpenResponses', () => {
  const servers: Array<{ close(callback: () => void): void }> = [];
  afterEach(async () => {
    for (const server of servers.splice(0))
      await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** An HTTP/1.1 server whose requests wait until the test answers them. */
  async function waitingServer(open: OpenResponses) {
    const waiting: Array<() => void> = [];
    const server: Server = createServer((req, res) => {
      waiting.push(() => res.end(`ok ${req.url}`));
    });
    open.watch(server);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { port: (server.address() as AddressInfo).port, waiting };
  }

  it('finds the response each open HTTP/1.1 connection is writing, and forgets closed connections', async () => {
    const open = new OpenResponses();
    const { port, waiting } = await waitingServer(open);
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const req = request({ port, host: '127.0.0.1', path, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
    const replies = [get('/a'), get('/b')];
    await until(() => waiting.length === 2);
    expect(open.current()).toHaveLength(2);
    for (const answer of waiting) answer();
    expect((await Promise.all(replies)).sort()).toEqual(['ok /a', 'ok /b']);
    // agent: false closes each connection after its answer.
    await until(() => open.current().length === 0);
  });

  it('finds a pipelined request queued behind the one before it', async () => {
    const open = new OpenResponses();
    const { port, waiting } = await waitingServer(open);
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    // Two requests in one write: node:http queues the second's response behind the first's.
    socket.write('GET /first HTTP/1.1\r\nHost: x\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => waiting.length === 2);
    expect(open.current()).toHaveLength(2);
    for (const answer of waiting) answer();
    await until(() => received.includes('ok /second'));
    expect(received.indexOf('ok /first')).toBeLessThan(received.indexOf('ok /second'));
    socket.destroy();
    await until(() => open.current().length === 0);
  });

  it('finds every stream of an HTTP/2 session (h2c), and forgets each once it closes', async () => {
    const open = new OpenResponses();
    const waiting: Array<() => void> = [];
    const server = createH2cServer((req, res) => {
      waiting.push(() => res.end(`ok ${req.url}`));
    });
    open.watch(server as unknown as Parameters<OpenResponses['watch']>[0]);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const session = http2Connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const get = (path: string) =>
      new Promise<string>((resolve, reject) => {
        const stream = session.request({ ':path': path });
        let body = '';
        stream.on('data', (chunk: Buffer) => (body += chunk.toString()));
        stream.on('end', () => resolve(body));
        stream.on('error', reject);
      });
    try {
      const replies = [get('/a'), get('/b'), get('/c')];
      await until(() => waiting.length === 3);
      // One connection, three responses being written.
      expect(open.current()).toHaveLength(3);
      for (const answer of waiting) answer();
      expect((await Promise.all(replies)).sort()).toEqual(['ok /a', 'ok /b', 'ok /c']);
      await until(() => open.current().length === 0);
    } finally {
      session.close();
    }
  });
});
