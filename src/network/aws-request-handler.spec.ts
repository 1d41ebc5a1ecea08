import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { headerBag, queryString, UndiciAwsHandler } from './aws-request-handler';

describe('queryString', () => {
  it('encodes values, repeats lists and keeps valueless keys', () => {
    expect(queryString({ 'x-id': 'PutObject', tag: ['a b', 'c'], uploads: null })).toBe(
      '?x-id=PutObject&tag=a%20b&tag=c&uploads',
    );
    expect(queryString(undefined)).toBe('');
    expect(queryString({})).toBe('');
  });
});

describe('headerBag', () => {
  it('joins repeated headers and drops missing ones', () => {
    expect(headerBag({ a: '1', b: ['x', 'y'], c: undefined })).toEqual({ a: '1', b: 'x, y' });
  });
});

describe('UndiciAwsHandler', () => {
  let server: Server;
  let seen: { method?: string; url?: string; body: string; headers: Record<string, unknown> };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, body, headers: req.headers };
        res.setHeader('x-amzn-requestid', 'r-1');
        res.end('{"SecretString":"s"}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the signed request as the SDK built it and hands back status, headers and body', async () => {
    const handler = new UndiciAwsHandler(new Agent(), 5_000);
    const { port } = server.address() as AddressInfo;
    const { response } = await handler.handle({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/bucket/key',
      query: { 'x-id': 'PutObject' },
      headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': '7' },
      body: '{"a":1}',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-amzn-requestid']).toBe('r-1');
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/bucket/key?x-id=PutObject',
      body: '{"a":1}',
    });
    const chunks: Buffer[] = [];
    for await (const chunk of response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('{"SecretString":"s"}');
    handler.destroy();
  });
});
