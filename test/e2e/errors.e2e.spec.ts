import OpenAI from 'openai';
import { caught } from './support/caught';
import { manyKeys, Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';

describe("errors in OpenAI's envelope, raised by the openai SDK as its matching classes", () => {
  let stack: Stack;

  beforeAll(async () => {
    // One attempt, so each upstream error is seen as it is; retries are proven in reliability.e2e.
    stack = await startStack({
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '700',
      BODY_LIMIT_BYTES: '65536',
      RETRY_MAX_ATTEMPTS: '1',
      GROQ_API_KEYS: manyKeys(8),
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  describe('client mistakes: 400 with the field in param, before any upstream call', () => {
    it.each([
      ['missing model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
      ['missing messages', { model: MODEL }, 'messages'],
      ['empty messages', { model: MODEL, messages: [] }, 'messages'],
      [
        'temperature above 2',
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 2.5 },
        'temperature',
      ],
      [
        'top_p above 1',
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], top_p: 1.5 },
        'top_p',
      ],
      [
        'max_tokens of 0',
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], max_tokens: 0 },
        'max_tokens',
      ],
      [
        'temperature as a string',
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 'hot' },
        'temperature',
      ],
      [
        'five stop sequences',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          stop: ['a', 'b', 'c', 'd', 'e'],
        },
        'stop',
      ],
      [
        'an unknown role',
        { model: MODEL, messages: [{ role: 'robot', content: 'x' }] },
        'messages[0].role',
      ],
      [
        'a user message without content',
        { model: MODEL, messages: [{ role: 'user' }] },
        'messages[0].content',
      ],
      [
        'a tool message without tool_call_id',
        { model: MODEL, messages: [{ role: 'tool', content: 'x' }] },
        'messages[0].tool_call_id',
      ],
      [
        'a non-function tool',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'web_search' }],
        },
        'tools[0].type',
      ],
      [
        'a tool without a name',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          tools: [{ type: 'function', function: {} }],
        },
        'tools[0].function.name',
      ],
      [
        'an unknown tool_choice',
        { model: MODEL, messages: [{ role: 'user', content: 'x' }], tool_choice: 'always' },
        'tool_choice',
      ],
      [
        'an unknown response_format type',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          response_format: { type: 'yaml' },
        },
        'response_format.type',
      ],
      [
        'json_schema without its schema object',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          response_format: { type: 'json_schema' },
        },
        'response_format.json_schema',
      ],
      [
        'an unknown reasoning effort',
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
          reasoning: { effort: 'maximal' },
        },
        'reasoning.effort',
      ],
      [
        'an image part',
        {
          model: MODEL,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'see' },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
              ],
            },
          ],
        },
        'messages[0].content[1]',
      ],
      [
        'an audio part',
        {
          model: MODEL,
          messages: [
            { role: 'system', content: 's' },
            {
              role: 'user',
              content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }],
            },
          ],
        },
        'messages[1].content[0]',
      ],
    ])('%s', async (_name, body, param) => {
      const error = await caught(stack.openai.chat.completions.create(body as never));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(error.type).toBe('invalid_request_error');
      expect(error.message.length).toBeGreaterThan(20);
      expect((error.error as { message: string }).message).not.toMatch(/^\d{3} /);
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('says why an image is refused', async () => {
      const error = await caught(
        stack.openai.chat.completions.create({
          model: MODEL,
          messages: [
            {
              role: 'user',
              content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }],
            },
          ],
        }),
      );
      expect(error.message).toMatch(/Image content is not supported by the groq provider/);
      expect(error.code).toBe('unsupported_content');
    });
  });

  describe('values no model can take: 400 naming the parameter, never sent upstream', () => {
    const messages = [{ role: 'user', content: 'x' }];
    it.each([
      [
        'chat max_tokens',
        '/v1/chat/completions',
        { model: MODEL, messages, max_tokens: 1e300 },
        'max_tokens',
      ],
      [
        'chat max_completion_tokens',
        '/v1/chat/completions',
        { model: MODEL, messages, max_completion_tokens: 2 ** 53 },
        'max_completion_tokens',
      ],
      [
        'Responses max_output_tokens',
        '/v1/responses',
        { model: MODEL, input: 'x', max_output_tokens: 1e300 },
        'max_output_tokens',
      ],
      [
        'text completions max_tokens',
        '/v1/completions',
        { model: MODEL, prompt: 'x', max_tokens: 1e300 },
        'max_tokens',
      ],
    ])('%s beyond any model', async (_name, path, body, param) => {
      const response = await fetch(`${stack.gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-litellm-fallback': 'true' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const { error } = (await response.json()) as { error: { param: string; message: string } };
      expect(error.param).toBe(param);
      expect(error.message).toMatch(new RegExp(`^${param} must not be greater than 1048576`));
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('Anthropic max_tokens of 1e300, and a missing one "is required"', async () => {
      const post = (body: object) =>
        fetch(`${stack.gateway.url}/anthropic/v1/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages, ...body }),
        }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as { error: { type: string; message: string } },
        }));
      const huge = await post({ max_tokens: 1e300 });
      expect(huge.status).toBe(400);
      expect(huge.body.error.message).toMatch(/^max_tokens must not be greater than 1048576/);
      const missing = await post({});
      expect(missing.status).toBe(400);
      expect(missing.body.error).toMatchObject({ type: 'invalid_request_error' });
      expect(missing.body.error.message).toMatch(/^max_tokens is required/);
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });
  });

  describe('unsupported operations: 400 unsupported_operation', () => {
    it('embeddings', async () => {
      const error = await caught(
        stack.openai.embeddings.create({ model: 'groq/x', input: 'hello' }),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.code).toBe('unsupported_operation');
      expect(error.message).toContain('embeddings is not supported by groq provider');
    });

    it('images', async () => {
      const error = await caught(
        stack.openai.images.generate({ model: 'groq/x', prompt: 'a cat' }),
      );
      expect(error.code).toBe('unsupported_operation');
      expect(error.message).toContain('images is not supported by groq provider');
    });

    it('audio speech', async () => {
      const error = await caught(
        stack.openai.audio.speech.create({ model: 'groq/x', input: 'hi', voice: 'alloy' }),
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain('audio speech is not supported by groq provider');
    });

    it('audio transcriptions, a multipart upload', async () => {
      const file = await OpenAI.toFile(Buffer.from('RIFF....WAVE'), 'a.wav');
      const error = await caught(
        stack.openai.audio.transcriptions.create({ model: 'groq/whisper-large-v3', file }),
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain('audio transcriptions is not supported by groq provider');
    });

    it('files and batches, for every method', async () => {
      expect((await caught(stack.openai.files.list())).code).toBe('unsupported_operation');
      expect((await caught(stack.openai.files.retrieve('file-1'))).code).toBe(
        'unsupported_operation',
      );
      expect((await caught(stack.openai.files.delete('file-1'))).code).toBe(
        'unsupported_operation',
      );
      expect((await caught(stack.openai.batches.list())).message).toContain(
        'batches is not supported by groq provider',
      );
      expect((await caught(stack.openai.batches.cancel('batch_1'))).code).toBe(
        'unsupported_operation',
      );
    });
  });

  describe('upstream errors keep their status and message', () => {
    it('429 keeps retry-after and raises RateLimitError', async () => {
      stack.emulator.queueFaults('429;retry-after=9');
      const error = await caught(
        stack.openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.headers?.get('retry-after')).toBe('9');
      expect(error.code).toBe('rate_limit_exceeded');
      expect(error.message).toMatch(/Rate limit reached/);
    });

    it("an unknown model is Groq's 404", async () => {
      const error = await caught(
        stack.openai.chat.completions.create({
          model: 'groq/no-such-model',
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect(error.code).toBe('model_not_found');
      expect(error.message).toContain(
        'The model `no-such-model` does not exist or you do not have access to it.',
      );
    });

    it("a retired model is Groq's 400 model_decommissioned", async () => {
      const error = await caught(
        stack.openai.chat.completions.create({
          model: 'groq/mixtral-8x7b-32768',
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.code).toBe('model_decommissioned');
    });

    it('a 500 raises InternalServerError', async () => {
      stack.emulator.queueFaults('500');
      const error = await caught(
        stack.openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(500);
    });

    it('a connection reset is a 502', async () => {
      stack.emulator.queueFaults('reset');
      const error = await caught(
        stack.openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error.status).toBe(502);
      expect(error.code).toBe('upstream_unreachable');
    });

    it('a hung upstream is a 504 after the first-byte timeout', async () => {
      stack.emulator.queueFaults('hang');
      const error = await caught(
        stack.openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'x' }],
        }),
      );
      expect(error.status).toBe(504);
      expect(error.code).toBe('upstream_timeout');
    });

    it('an error before the first chunk of a stream keeps its status', async () => {
      stack.emulator.queueFaults('429;retry-after=3');
      const error = await caught(
        (async () => {
          const stream = await stack.openai.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
            stream: true,
          });
          for await (const _chunk of stream) void _chunk;
        })(),
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.headers?.get('retry-after')).toBe('3');
    });
  });

  describe('failures mid-stream are said in the stream', () => {
    it.each([['cut=4'], ['stream-error=4']])(
      '%s: one SSE error event, then the stream closes without [DONE]',
      async (fault) => {
        stack.emulator.queueFaults(fault);
        const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: MODEL,
            messages: [{ role: 'user', content: 'a long enough answer' }],
            stream: true,
          }),
        });
        expect(response.status).toBe(200);
        const events = (await response.text()).split('\n\n').filter(Boolean);
        expect(events.length).toBe(5);
        const last = JSON.parse(events[events.length - 1].replace(/^data: /, '')) as {
          error: { message: string; code: string };
        };
        expect(last.error.message).toBeTruthy();
        expect(events.join('\n')).not.toContain('[DONE]');
      },
    );

    it('the openai SDK raises an APIError for it', async () => {
      stack.emulator.queueFaults('stream-error=3');
      const seen: string[] = [];
      const error = await caught(
        (async () => {
          const stream = await stack.openai.chat.completions.create({
            model: MODEL,
            messages: [{ role: 'user', content: 'x' }],
            stream: true,
          });
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
        })(),
      );
      expect(seen.length).toBe(3);
      expect(error.message).toMatch(/stopped while generating/);
    });
  });

  describe('raw HTTP', () => {
    const post = (body: string, contentType = 'application/json') =>
      fetch(`${stack.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });

    it.each([
      ['malformed JSON', '{"model": "x", ', 'application/json', 400, 'invalid_json'],
      ['an empty body', '', 'application/json', 400, 'invalid_json'],
      ['a JSON array', '[1,2]', 'application/json', 400, 'invalid_json'],
      ['a JSON string', '"hello"', 'application/json', 400, 'invalid_json'],
      ['plain text', 'hello', 'text/plain', 415, 'unsupported_media_type'],
      ['form data', 'a=b', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
      [
        '__proto__ pollution',
        '{"__proto__": {"admin": true}, "model": "x", "messages": []}',
        'application/json',
        400,
        'invalid_json',
      ],
    ])('%s is a %i in the envelope', async (_name, body, contentType, status, code) => {
      const response = await post(body, contentType);
      expect(response.status).toBe(status);
      const json = (await response.json()) as {
        error: { code: string; message: string; type: string };
      };
      expect(json.error.code).toBe(code);
      expect(json.error.type).toBe('invalid_request_error');
      expect(json.error.message).not.toMatch(/\bat .+\.js:\d+/);
    });

    it('a body over the limit is a 413', async () => {
      const response = await post(
        JSON.stringify({
          model: MODEL,
          messages: [{ role: 'user', content: 'x'.repeat(100_000) }],
        }),
      );
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
        'request_too_large',
      );
    });

    it('an unknown route is a 404 unknown_url', async () => {
      const response = await fetch(`${stack.gateway.url}/v1/chat/complete`, { method: 'POST' });
      expect(response.status).toBe(404);
      const json = (await response.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe('unknown_url');
      expect(json.error.message).toContain('POST /v1/chat/complete');
    });

    it('never shows the Groq key in an error', async () => {
      stack.emulator.queueFaults('401');
      const response = await post(
        JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }),
      );
      const text = await response.text();
      // Groq refusing one of the gateway's keys is not the caller's 401: another key answers,
      // and the log line that takes the key out names its id only.
      expect(response.status).toBe(200);
      expect(stack.gateway.output()).toMatch(/Groq refused key 'key-\d'/);
      expect(text).not.toContain('gsk_');
      expect(stack.gateway.output()).not.toContain('gsk_e2e_key');
    });
  });
});
