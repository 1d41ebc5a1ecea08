import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { GatewayError } from '../errors/gateway-error';
import { readJsonBody, type JsonBodyReaderOptions } from './json-body-reader';
import { PendingBodies } from './pending-bodies';

/** A request body as the reader sees it: a stream the test writes, `complete` once it ended. */
class Body extends Readable {
  complete = false;
  socket = null;
  override _read(): void {}
  finish(): void {
    this.complete = true;
    this.push(null);
  }
}

describe('readJsonBody', () => {
  let pending: PendingBodies;
  let options: JsonBodyReaderOptions;
  beforeEach(() => {
    pending = new PendingBodies(60_000, 10);
    options = { limitFor: () => 100, maxDepth: 4, maxValues: 50, timeoutMs: 60_000, pending };
  });
  afterEach(() => pending.sweep());

  /** Starts a read; resolves with what it answered. */
  const read = (body: Body, contentLength?: string) =>
    new Promise<{ error: GatewayError | null; value?: unknown }>((resolve) =>
      readJsonBody(
        '/v1/chat/completions',
        contentLength,
        body as unknown as IncomingMessage,
        options,
        (error, value) => resolve({ error, value }),
      ),
    );

  it('parses a body that arrived whole, and stops watching it', async () => {
    const body = new Body();
    const answer = read(body, '9');
    body.push('{"a":');
    body.push('[1]}');
    body.finish();
    expect(await answer).toEqual({ error: null, value: { a: [1] } });
    expect(pending.size).toBe(0);
  });

  it('refuses a body whose client closed the connection mid-body with a typed 400', async () => {
    const body = new Body();
    const answer = read(body);
    body.push('{"a":');
    await new Promise(setImmediate);
    body.destroy();
    const { error } = await answer;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error?.toEnvelope()).toEqual({
      error: {
        message: 'The client closed the connection mid-body.',
        type: 'invalid_request_error',
        code: 'bad_http_request',
        param: null,
      },
    });
    expect(error?.status).toBe(400);
    expect(pending.size).toBe(0);
  });

  it("answers a stream error (the connection reset) the same way, not with the stream's own error", async () => {
    const body = new Body();
    const answer = read(body);
    body.push('{"a":');
    await new Promise(setImmediate);
    const reset = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    body.destroy(reset);
    const { error } = await answer;
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).not.toBe(reset);
    expect(error).toMatchObject({ status: 400, code: 'bad_http_request' });
    expect(error?.message).toBe('The client closed the connection mid-body.');
  });

  it('refuses a body over the route limit by its content-length, before reading it', async () => {
    const { error } = await read(new Body(), '101');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 413, code: 'request_too_large' });
    expect(pending.size).toBe(0);
  });
});
