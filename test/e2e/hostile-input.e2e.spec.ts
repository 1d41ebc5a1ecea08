import { connect } from 'node:net';
import { Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const CHAT_BODY = { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] };

interface RawAnswer {
  status: number;
  headers: string;
  body: { error?: { message: string; type: string; code: string | null; param: string | null } };
}

/** Writes bytes to the gateway over a plain socket: for what no HTTP client would send. */
function rawRequest(url: string, bytes: Buffer | string): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
      resolve({
        status,
        headers: head,
        body: JSON.parse(rest.join('\r\n\r\n')) as RawAnswer['body'],
      });
    });
  });
}

async function post(url: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as RawAnswer['body'],
  };
}

function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('hostile input: 4xx in the envelope, and the gateway keeps serving', () => {
  let stack: Stack;
  let chatUrl: string;

  beforeAll(async () => {
    stack = await startStack({ BODY_LIMIT_BYTES: '1048576' });
    chatUrl = `${stack.gateway.url}/v1/chat/completions`;
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  // Every case must leave the upstream untouched and the gateway answering.
  afterEach(async () => {
    const answer = await stack.openai.chat.completions.create(CHAT_BODY as never);
    expect(answer.choices[0].message.content).toBeTruthy();
    expect(stack.gateway.process.exitCode).toBeNull();
  });

  it('a body over BODY_LIMIT_BYTES: 413', async () => {
    const answer = await post(
      chatUrl,
      JSON.stringify({ ...CHAT_BODY, pad: 'x'.repeat(1_100_000) }),
    );
    expect(answer.status).toBe(413);
    expect(answer.body.error?.code).toBe('request_too_large');
  });

  it('100,000 nested arrays (a stack overflow for any recursive walk): 400', async () => {
    const answer = await post(chatUrl, nestedArrays(100_000));
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_json',
    });
    expect(answer.body.error?.message).toMatch(/nests deeper than 64 levels/);
  });

  it('a tool schema nested 20,000 objects deep: 400 before the upstream', async () => {
    let schema = '{"type":"string"}';
    for (let i = 0; i < 20_000; i++) schema = `{"type":"object","properties":{"a":${schema}}}`;
    const body = `{"model":"${MODEL}","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${schema}}}]}`;
    const answer = await post(chatUrl, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('invalid_json');
    expect(stack.emulator.chatRequests()).toHaveLength(0);
  });

  it('a huge but flat body within the limit: a 4xx, never a 500', async () => {
    const messages = Array.from({ length: 30_000 }, () => ({ role: 'user', content: 'x' }));
    const answer = await post(chatUrl, JSON.stringify({ model: MODEL, messages, temperature: 9 }));
    expect(answer.status).toBe(400);
    expect(answer.body.error?.param).toBe('temperature');
  });

  it('invalid UTF-8: 400 saying so', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"model":"${MODEL}","messages":[{"role":"user","content":"`),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}]}'),
    ]);
    const answer = await post(chatUrl, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'invalid_json',
      message: 'The request body is not valid UTF-8.',
    });
  });

  it.each([
    ['__proto__', `{"model":"${MODEL}","__proto__":{"admin":true},"messages":[]}`, /__proto__/],
    [
      'constructor.prototype',
      `{"model":"${MODEL}","messages":[{"role":"user","content":"x","constructor":{"prototype":{"admin":true}}}]}`,
      /constructor\.prototype/,
    ],
  ])('a %s key: 400 naming it', async (_name, body, message) => {
    const answer = await post(chatUrl, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(message);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('headers over 16 KB: 431 in the envelope', async () => {
    const answer = await rawRequest(
      stack.gateway.url,
      `GET /v1/models HTTP/1.1\r\nhost: x\r\nx-padding: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(answer.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'bad_http_request',
    });
  });

  it('a bare CR in a header (response splitting): 400 in the envelope', async () => {
    const answer = await rawRequest(
      stack.gateway.url,
      'GET /v1/models HTTP/1.1\r\nhost: x\r\nx-request-id: a\rset-cookie: b\r\n\r\n',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('bad_http_request');
  });

  it('a model name carrying CRLF never reaches a header or the upstream', async () => {
    const answer = await post(
      chatUrl,
      JSON.stringify({ ...CHAT_BODY, model: 'groq/llama\r\nset-cookie: session=stolen' }),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ param: 'model', code: 'invalid_model' });
    expect(answer.headers.get('set-cookie')).toBeNull();
    expect(stack.emulator.chatRequests()).toHaveLength(0);
  });

  it('an x-request-id that is not a plain token is replaced, not echoed', async () => {
    const answer = await fetch(`${stack.gateway.url}/v1/models`, {
      headers: { 'x-request-id': '<script>alert(1)</script>' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an oversized tracestate is dropped, not forwarded to Groq', async () => {
    await post(chatUrl, JSON.stringify(CHAT_BODY), {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: `a=${'x'.repeat(4000)}`,
    });
    const [sent] = stack.emulator.chatRequests();
    expect(sent.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-/);
    expect(sent.headers.tracestate).toBeUndefined();
  });

  it.each([
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/v1/responses', 'POST'],
    ['DELETE', '/v1/models', 'GET'],
  ])('%s %s: 405 with allow: %s', async (method, path, allowed) => {
    const answer = await fetch(`${stack.gateway.url}${path}`, { method });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe(allowed);
    const body = (await answer.json()) as RawAnswer['body'];
    expect(body.error).toMatchObject({
      code: 'method_not_allowed',
      message: `${method} is not allowed on ${path}. Use ${allowed}.`,
    });
  });

  it('a body that is not JSON at all: 400', async () => {
    const answer = await post(chatUrl, '{"model": ');
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toMatch(/not valid JSON/);
  });
});
