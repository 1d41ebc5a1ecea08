import Anthropic from '@anthropic-ai/sdk';
import Groq from 'groq-sdk';
import { manyKeys, Stack, startStack, waitFor } from './support/stack';
import { MALFORMED_MESSAGES_BODIES } from '../support/anthropic-refusals';

const CLAUDE = 'claude-3-5-sonnet-20241022';
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {
    type: 'object' as const,
    properties: { city: { type: 'string' } },
    required: ['city'],
  },
};

describe('SDK drop-ins: only the base URL changes', () => {
  let stack: Stack;
  let groq: Groq;
  let anthropic: Anthropic;

  beforeAll(async () => {
    stack = await startStack({
      MODEL_ALIASES: `${CLAUDE}=groq/llama-3.3-70b-versatile`,
      RETRY_MAX_ATTEMPTS: '1',
      GROQ_API_KEYS: manyKeys(4),
    });
    groq = new Groq({
      baseURL: `${stack.gateway.url}/groq`,
      apiKey: 'gsk_client_key_not_forwarded',
      maxRetries: 0,
    });
    anthropic = new Anthropic({
      baseURL: `${stack.gateway.url}/anthropic`,
      apiKey: 'sk-ant-client',
      maxRetries: 0,
    });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  describe('the official groq-sdk', () => {
    it('chats with bare Groq model ids', async () => {
      const completion = await groq.chat.completions.create({
        model: 'llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'Hi groq-sdk' }],
      });
      expect(completion.choices[0].message.content).toContain('You said: Hi groq-sdk');
      expect(stack.emulator.chatRequests()[0].body?.model).toBe('llama-3.3-70b-versatile');
      expect(stack.emulator.chatRequests()[0].headers.authorization).not.toContain(
        'gsk_client_key_not_forwarded',
      );
    });

    it('streams', async () => {
      const stream = await groq.chat.completions.create({
        model: 'openai/gpt-oss-20b',
        messages: [{ role: 'user', content: 'stream' }],
        stream: true,
      });
      let text = '';
      let usageSeen = false;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.x_groq?.usage) usageSeen = true;
      }
      expect(text).toBe('Hello from the Groq emulator (openai/gpt-oss-20b). You said: stream');
      expect(usageSeen).toBe(true);
    });

    it("lists and retrieves models with Groq's own ids", async () => {
      const list = await groq.models.list();
      const ids = list.data.map((m) => m.id);
      expect(ids).toContain('llama-3.3-70b-versatile');
      // Only Groq's own namespaced ids (Compound's) start with groq/ there.
      expect(ids.filter((id) => id.startsWith('groq/'))).toEqual([
        'groq/compound',
        'groq/compound-mini',
      ]);
      const model = await groq.models.retrieve('openai/gpt-oss-120b');
      expect(model.id).toBe('openai/gpt-oss-120b');
    });

    it('raises the groq-sdk error classes', async () => {
      await expect(
        groq.chat.completions.create({
          model: 'no-such-model',
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toBeInstanceOf(Groq.NotFoundError);
      await expect(
        groq.chat.completions.create({
          model: 'llama-3.3-70b-versatile',
          messages: [{ role: 'user', content: 'x' }],
          temperature: 9,
        }),
      ).rejects.toBeInstanceOf(Groq.BadRequestError);
      stack.emulator.queueFaults('429;retry-after=5');
      await expect(
        groq.chat.completions.create({
          model: 'llama-3.3-70b-versatile',
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toBeInstanceOf(Groq.RateLimitError);
    });
  });

  describe('the official @anthropic-ai/sdk', () => {
    it('creates a message through a model alias', async () => {
      const message = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 200,
        system: 'Be brief',
        messages: [{ role: 'user', content: 'Hi anthropic' }],
        metadata: { user_id: 'user-1' },
        temperature: 0.3,
      } as Anthropic.MessageCreateParamsNonStreaming);
      expect(message.type).toBe('message');
      expect(message.model).toBe(CLAUDE);
      expect(message.stop_reason).toBe('end_turn');
      expect(message.content[0].type === 'text' && message.content[0].text).toContain(
        'You said: Hi anthropic',
      );
      expect(message.usage.input_tokens).toBeGreaterThan(0);
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      const sent = stack.emulator.chatRequests()[0].body ?? {};
      expect(sent).toMatchObject({
        model: 'llama-3.3-70b-versatile',
        max_tokens: 200,
        temperature: 0.3,
        user: 'user-1',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Hi anthropic' },
        ],
      });
    });

    it('takes a history whose assistant turn is thinking only (not sent: Groq refuses an empty turn)', async () => {
      const message = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }] },
          { role: 'user', content: 'second' },
        ],
      });
      expect(message.stop_reason).toBe('end_turn');
      const sent = stack.emulator.chatRequests().at(-1)?.body ?? {};
      expect(sent.messages).toEqual([
        { role: 'user', content: 'first' },
        { role: 'user', content: 'second' },
      ]);
    });

    it('maps length to max_tokens and a matched stop sequence to stop_sequence', async () => {
      const short = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 2,
        messages: [{ role: 'user', content: 'long answer' }],
      });
      expect(short.stop_reason).toBe('max_tokens');
      const stopped = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 100,
        stop_sequences: ['NEVER', 'emulator'],
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(stopped.stop_reason).toBe('stop_sequence');
      expect(stopped.stop_sequence).toBe('emulator');
      expect(stopped.content).toEqual([{ type: 'text', text: 'Hello from the Groq ' }]);
    });

    it('applies stop sequences itself, more than Groq takes too, and sends Groq no stop', async () => {
      const params = {
        model: CLAUDE,
        max_tokens: 100,
        messages: [{ role: 'user' as const, content: 'x' }],
      };
      const whole = await anthropic.messages.create(params);
      const stop_sequences = ['NEVER', 'NOPE', 'NADA', 'NIL', 'emulator'];
      const json = await anthropic.messages.create({ ...params, stop_sequences });
      const streamed = await anthropic.messages
        .stream({ ...params, stop_sequences })
        .finalMessage();
      for (const message of [json, streamed]) {
        expect(message.content).toEqual([{ type: 'text', text: 'Hello from the Groq ' }]);
        expect(message.stop_reason).toBe('stop_sequence');
        expect(message.stop_sequence).toBe('emulator');
        // Groq wrote (and counted) the whole answer: it was not asked to stop.
        expect(message.usage.output_tokens).toBe(whole.usage.output_tokens);
      }
      const sent = stack.emulator.chatRequests().map((request) => request.body ?? {});
      expect(sent).toHaveLength(3);
      for (const body of sent) expect(body).not.toHaveProperty('stop');
    });

    it('streams with messages.stream() and finalMessage() matches the JSON answer', async () => {
      const params = {
        model: CLAUDE,
        max_tokens: 100,
        messages: [{ role: 'user' as const, content: 'same please' }],
      };
      const json = await anthropic.messages.create(params);
      const stream = anthropic.messages.stream(params);
      const deltas: string[] = [];
      stream.on('text', (text) => deltas.push(text));
      const final = await stream.finalMessage();
      expect(deltas.join('')).toBe(json.content[0].type === 'text' ? json.content[0].text : '');
      // The stream helper adds its own parse fields; the message itself must be the same.
      const {
        parsed_output: _parsed,
        stop_details: _details,
        ...message
      } = final as typeof final & { parsed_output?: unknown; stop_details?: unknown };
      expect({ ...message, id: 'x' }).toEqual({ ...json, id: 'x' });
    });

    it('streams a stop sequence split across chunks and stops there', async () => {
      const stream = anthropic.messages.stream({
        model: CLAUDE,
        max_tokens: 100,
        stop_sequences: ['Groq emu'],
        messages: [{ role: 'user', content: 'x' }],
      });
      const final = await stream.finalMessage();
      expect(final.stop_reason).toBe('stop_sequence');
      expect(final.stop_sequence).toBe('Groq emu');
      expect(final.content).toEqual([{ type: 'text', text: 'Hello from the ' }]);
    });

    it('ends a stream at a stop sequence with the real usage, and meters the call', async () => {
      const params = {
        model: 'groq/llama-3.3-70b-versatile',
        max_tokens: 50,
        stop_sequences: ['emulator'],
        messages: [{ role: 'user' as const, content: 'hi' }],
      };
      const json = await anthropic.messages.create(params);
      const stream = anthropic.messages.stream(params, {
        headers: { 'x-request-id': 'anthropic-stop-usage' },
      });
      const deltas: Anthropic.MessageDeltaEvent[] = [];
      stream.on('streamEvent', (event) => {
        if (event.type === 'message_delta') deltas.push(event);
      });
      const final = await stream.finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Hello from the Groq ' }]);
      expect(deltas).toHaveLength(1);
      expect(deltas[0].delta).toMatchObject({
        stop_reason: 'stop_sequence',
        stop_sequence: 'emulator',
      });
      expect(json.usage.output_tokens).toBeGreaterThan(0);
      expect(deltas[0].usage).toEqual({
        input_tokens: json.usage.input_tokens,
        output_tokens: json.usage.output_tokens,
      });
      expect(final.usage).toMatchObject(json.usage);
      const accessLine = () =>
        stack.gateway
          .output()
          .split('\n')
          .find(
            (l) => l.includes('"id":"anthropic-stop-usage"') && l.includes('request completed'),
          );
      await waitFor(() => accessLine() !== undefined);
      expect(JSON.parse(accessLine() ?? '{}')).toMatchObject({
        stream: true,
        promptTokens: json.usage.input_tokens,
        completionTokens: json.usage.output_tokens,
        costUsd: expect.stringMatching(/^0\.\d+$/),
      });
    });

    it('completes a tool-use round trip', async () => {
      const first = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 100,
        tools: [weatherTool],
        tool_choice: { type: 'any' },
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      });
      expect(first.stop_reason).toBe('tool_use');
      const toolUse = first.content.find((block) => block.type === 'tool_use');
      expect(toolUse).toMatchObject({
        type: 'tool_use',
        name: 'get_weather',
        input: { city: 'Paris' },
      });
      expect(stack.emulator.chatRequests()[0].body?.tool_choice).toBe('required');
      expect(stack.emulator.chatRequests()[0].body?.tools).toEqual([
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: weatherTool.input_schema,
          },
        },
      ]);

      const second = await anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 100,
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: toolUse?.type === 'tool_use' ? toolUse.id : '',
                content: '19C and windy',
              },
            ],
          },
        ],
      });
      expect(second.content[0]).toEqual({ type: 'text', text: 'The tool returned: 19C and windy' });
      expect(stack.emulator.chatRequests()[1].body?.messages).toEqual([
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_calls: [
            {
              id: toolUse?.type === 'tool_use' && toolUse.id,
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        {
          role: 'tool',
          tool_call_id: toolUse?.type === 'tool_use' && toolUse.id,
          content: '19C and windy',
        },
      ]);
    });

    it('streams tool use as input_json_delta and finalMessage() parses the input', async () => {
      const stream = anthropic.messages.stream({
        model: CLAUDE,
        max_tokens: 100,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Weather?' }],
      });
      const json: string[] = [];
      stream.on('inputJson', (partial) => json.push(partial));
      const final = await stream.finalMessage();
      expect(json.join('')).toBe('{"city":"Paris"}');
      expect(final.stop_reason).toBe('tool_use');
      expect(final.content.find((b) => b.type === 'tool_use')).toMatchObject({
        name: 'get_weather',
        input: { city: 'Paris' },
      });
    });

    it('refuses an image block, unknown fields and an unmapped Claude model with BadRequestError', async () => {
      const image = anthropic.messages.create({
        model: CLAUDE,
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
            ],
          },
        ],
      });
      await expect(image).rejects.toBeInstanceOf(Anthropic.BadRequestError);
      await expect(image).rejects.toThrow(
        /image blocks are not supported.*messages\[0\]\.content\[1\]/,
      );
      await expect(
        anthropic.messages.create({
          model: CLAUDE,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
          mcp_servers: [],
        } as never),
      ).rejects.toThrow(/mcp_servers/);
      await expect(
        anthropic.messages.create({
          model: 'claude-opus-4-1',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toThrow(/modelAliases/);
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it.each(MALFORMED_MESSAGES_BODIES)(
      'refuses %s with BadRequestError naming the field',
      async (_name, body, message) => {
        const error = await anthropic.messages
          .create({ model: CLAUDE, max_tokens: 10, ...body } as never)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(400);
        expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
          type: 'error',
          error: { type: 'invalid_request_error', message },
        });
        expect(stack.emulator.chatRequests()).toHaveLength(0);
      },
    );

    it("answers a wrong method in Anthropic's envelope, as its 404s", async () => {
      const wrong = await fetch(`${stack.gateway.url}/anthropic/v1/messages`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
      expect(await wrong.json()).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'GET is not allowed on /anthropic/v1/messages. Use POST.',
        },
      });
      const unknown = await fetch(`${stack.gateway.url}/anthropic/v1/nothing`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({
        type: 'error',
        error: { type: 'not_found_error' },
      });
    });

    it("answers in Anthropic's error shape with its status codes", async () => {
      stack.emulator.queueFaults('429;retry-after=6');
      const limited = await anthropic.messages
        .create({ model: CLAUDE, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
        .catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
      expect((limited as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')).toBe(
        '6',
      );
      expect((limited as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error' },
      });
      const missing = await anthropic.messages
        .create({ model: CLAUDE, messages: [{ role: 'user', content: 'x' }] } as never)
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
      const raw = await fetch(`${stack.gateway.url}/anthropic/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{oops',
      });
      expect(await raw.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error' },
      });
      stack.emulator.queueFaults('500');
      await expect(
        anthropic.messages.create({
          model: CLAUDE,
          max_tokens: 10,
          messages: [{ role: 'user', content: 'x' }],
        }),
      ).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    });

    it('says a failure mid-stream as an error event', async () => {
      stack.emulator.queueFaults('stream-error=3');
      const stream = anthropic.messages.stream({
        model: CLAUDE,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'x' }],
      });
      await expect(stream.finalMessage()).rejects.toThrow(/stopped while generating/);
    });

    it('estimates tokens for count_tokens', async () => {
      const counted = await anthropic.messages.countTokens({
        model: CLAUDE,
        messages: [{ role: 'user', content: 'How many tokens is this?' }],
      });
      expect(counted.input_tokens).toBeGreaterThan(0);
    });

    it('refuses a count_tokens request without a model', async () => {
      const error = await anthropic.messages
        .countTokens({ messages: [{ role: 'user', content: 'x' }] } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'model: Field required' },
      });
    });
  });
});
