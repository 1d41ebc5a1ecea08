import { EventEmitter } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenResponses } from './open-responses';

describe('OpenResponses', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('finds the response each open connection is writing, and forgets closed connections', async () => {
    const open = new OpenResponses();
    const answered: string[] = [];
    const waiting = new Set<() => void>();
    server = createServer((req, res) => {
      // Each request waits until the test has looked; then it is answered.
      waiting.add(() => {
        answered.push(req.url ?? '');
        res.end('ok');
      });
    });
    open.watch(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
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
    while (waiting.size < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const current = open.current();
    expect(current).toHaveLength(2);
    for (const response of current) expect(response).toBeInstanceOf(EventEmitter);
    for (const answer of waiting) answer();
    expect(await Promise.all(replies)).toEqual(['ok', 'ok']);
    // agent: false closes each connection after its answer.
    while (open.current().length > 0 || answered.length < 2)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(open.current()).toEqual([]);
  });
});
