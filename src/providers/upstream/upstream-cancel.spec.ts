import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamClient } from './upstream-client';
import { UpstreamCancel } from './upstream-cancel';

const TIMEOUTS = { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 };

describe('UpstreamCancel', () => {
  let server: Server;
  let baseUrl: string;
  let closedByClient: Promise<void>;

  beforeEach(async () => {
    let onClose: () => void = () => undefined;
    closedByClient = new Promise((resolve) => (onClose = resolve));
    // Answers headers at once, then never ends the body: only a cancel can end the request.
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {}\n\n');
      response.on('close', onClose);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('aborts an undici request whose body is being read, and the server sees the close', async () => {
    const client = new UpstreamClient(baseUrl, TIMEOUTS, 4);
    const cancel = new UpstreamCancel();
    const response = await client.request({
      method: 'GET',
      path: '/',
      headers: {},
      signal: cancel,
    });
    const reading = (async () => {
      for await (const chunk of response.body) void chunk;
    })();
    cancel.abort();
    await expect(reading).rejects.toThrow(/aborted/i);
    await closedByClient;
    expect(cancel.aborted).toBe(true);
    await client.close();
  });

  it('refuses to start a request cancelled before it was sent', async () => {
    const client = new UpstreamClient(baseUrl, TIMEOUTS, 4);
    const cancel = new UpstreamCancel();
    cancel.abort();
    await expect(
      client.request({ method: 'GET', path: '/', headers: {}, signal: cancel }),
    ).rejects.toThrow(/aborted/i);
    await client.close();
  });

  it('emits abort once, however often it is called', () => {
    const cancel = new UpstreamCancel();
    let calls = 0;
    cancel.on('abort', () => calls++);
    cancel.abort();
    cancel.abort();
    expect(calls).toBe(1);
  });
});
