import OpenAI from 'openai';
import { caught } from './support/caught';
import { manyKeys, Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

/**
 * Ids and timestamps come from each upstream answer, and the SDK's stream helper adds its parsed
 * fields; everything else must match.
 */
const VARIES = new Set(['id', 'call_id', 'created_at']);
const SDK_ADDED = new Set(['parsed', 'output_parsed', 'parsed_arguments']);
function withoutIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutIds);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SDK_ADDED.has(key))
      .map(([key, inner]) => [key, VARIES.has(key) ? typeof inner : withoutIds(inner)]),
  );
}

describe('POST /v1/responses, converted to one chat call and back', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ RETRY_MAX_ATTEMPTS: '1', GROQ_API_KEYS: manyKeys(4) });
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it("answers text with output_text, usage in Responses' names and metadata echoed", async () => {
    const response = await stack.openai.responses.create({
      model: MODEL,
      input: 'Hello responses',
      instructions: 'Be brief',
      metadata: { ticket: 'T-1' },
      temperature: 0.4,
    });
    expect(response.object).toBe('response');
    expect(response.id).toMatch(/^resp_/);
    expect(response.status).toBe('completed');
    expect(response.output_text).toContain('You said: Hello responses');
    expect(response.metadata).toEqual({ ticket: 'T-1' });
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
    const sent = stack.emulator.chatRequests()[0].body ?? {};
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'Hello responses' },
    ]);
    expect(sent.temperature).toBe(0.4);
    expect(sent).not.toHaveProperty('metadata');
  });

  it('maps max_output_tokens, and says incomplete when the model stopped on length', async () => {
    const response = await stack.openai.responses.create({
      model: MODEL,
      input: 'one two three four five six',
      max_output_tokens: 3,
    });
    expect(stack.emulator.chatRequests()[0].body?.max_completion_tokens).toBe(3);
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
  });

  it('converts flat function tools, and returns function_call items', async () => {
    const response = await stack.openai.responses.create({
      model: MODEL,
      input: 'Weather in Paris?',
      tools: [weatherTool],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    const sent = stack.emulator.chatRequests()[0].body ?? {};
    expect(sent.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: weatherTool.parameters,
          strict: false,
        },
      },
    ]);
    expect(sent.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    const call = response.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', status: 'completed' });
    expect(call?.type === 'function_call' && JSON.parse(call.arguments)).toEqual({ city: 'Paris' });
    expect(call?.type === 'function_call' && call.call_id).toBeTruthy();
  });

  it('sends parallel_tool_calls to Groq and echoes it', async () => {
    const { data, response } = await stack.openai.responses
      .create({
        model: MODEL,
        input: 'Weather in Paris?',
        tools: [weatherTool],
        parallel_tool_calls: false,
      })
      .withResponse();
    expect(stack.emulator.chatRequests()[0].body?.parallel_tool_calls).toBe(false);
    expect(response.headers.get('x-gateway-dropped-params')).toBeNull();
    expect(data.parallel_tool_calls).toBe(false);
  });

  it('takes multi-turn input with function_call and function_call_output items', async () => {
    const response = await stack.openai.responses.create({
      model: MODEL,
      tools: [weatherTool],
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] },
        {
          type: 'function_call',
          call_id: 'call_9',
          name: 'get_weather',
          arguments: '{"city":"Paris"}',
        },
        { type: 'function_call_output', call_id: 'call_9', output: '21C, clear' },
      ],
    });
    expect(response.output_text).toBe('The tool returned: 21C, clear');
    expect(stack.emulator.chatRequests()[0].body?.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        tool_calls: [
          {
            id: 'call_9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_9', content: '21C, clear' },
    ]);
  });

  it('converts text.format json_schema to response_format', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, population: { type: 'integer' } },
    };
    const response = await stack.openai.responses.create({
      model: MODEL,
      input: 'Biggest city?',
      text: { format: { type: 'json_schema', name: 'city', schema, strict: true } },
    });
    expect(stack.emulator.chatRequests()[0].body?.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'city', schema, strict: true },
    });
    expect(JSON.parse(response.output_text)).toEqual({ city: 'Paris', population: 42 });
  });

  it('maps reasoning.effort to reasoning_effort', async () => {
    await stack.openai.responses.create({
      model: 'groq/openai/gpt-oss-20b',
      input: 'think',
      reasoning: { effort: 'low' },
    });
    expect(stack.emulator.chatRequests()[0].body?.reasoning_effort).toBe('low');
  });

  describe('streaming', () => {
    it("emits OpenAI's event order with rising sequence numbers and no [DONE]", async () => {
      const response = await fetch(`${stack.gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, input: 'stream it', stream: true }),
      });
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const frames = (await response.text()).split('\n\n').filter(Boolean);
      const events = frames.map((frame) => {
        const [eventLine, dataLine] = frame.split('\n');
        const data = JSON.parse(dataLine.replace(/^data: /, '')) as {
          type: string;
          sequence_number: number;
        };
        expect(eventLine).toBe(`event: ${data.type}`);
        return data;
      });
      const types = events
        .map((e) => e.type)
        .filter((t, i, all) => t !== 'response.output_text.delta' || all[i - 1] !== t);
      expect(types).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(events.filter((e) => e.type === 'response.output_text.delta').length).toBeGreaterThan(
        3,
      );
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(frames.join('')).not.toContain('[DONE]');
    });

    it('responses.stream() accepts it and finalResponse() equals the JSON answer', async () => {
      const json = await stack.openai.responses.create({
        model: MODEL,
        input: 'same answer',
        instructions: 'x',
        metadata: { k: 'v' },
      });
      const stream = stack.openai.responses.stream({
        model: MODEL,
        input: 'same answer',
        instructions: 'x',
        metadata: { k: 'v' },
      });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
      const final = await stream.finalResponse();
      expect(deltas.join('')).toBe(json.output_text);
      expect(withoutIds(final)).toEqual(withoutIds(json));
    });

    it('streams tool calls as function_call items and finalResponse() equals the JSON answer', async () => {
      const request = { model: MODEL, input: 'Weather?', tools: [weatherTool] };
      const json = await stack.openai.responses.create(request);
      const stream = stack.openai.responses.stream(request);
      const argumentDeltas: string[] = [];
      stream.on('response.function_call_arguments.delta', (event) =>
        argumentDeltas.push(event.delta),
      );
      const final = await stream.finalResponse();
      expect(argumentDeltas.join('')).toBe('{"city":"Paris"}');
      expect(withoutIds(final)).toEqual(withoutIds(json));
      expect(final.output[0]).toMatchObject({
        type: 'function_call',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      });
    });

    it('an upstream error before the first event keeps its status', async () => {
      stack.emulator.queueFaults('429;retry-after=4');
      const error = await caught(
        stack.openai.responses.stream({ model: MODEL, input: 'x' }).finalResponse(),
      );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    });

    it('a failure mid-stream is one error event, and the stream ends', async () => {
      stack.emulator.queueFaults('stream-error=3');
      const response = await fetch(`${stack.gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, input: 'a long answer', stream: true }),
      });
      const frames = (await response.text()).split('\n\n').filter(Boolean);
      expect(frames[frames.length - 1]).toMatch(/^event: error\ndata: \{"type":"error"/);
      expect(frames.some((f) => f.startsWith('event: response.completed'))).toBe(false);
    });
  });

  describe('what cannot be honoured is refused with a 400 naming it', () => {
    it.each([
      ['previous_response_id', { previous_response_id: 'resp_123' }, 'previous_response_id'],
      ['store: true', { store: true }, 'store'],
      ['background', { background: true }, 'background'],
      ['a web_search tool', { tools: [{ type: 'web_search' }] }, 'tools[0].type'],
      [
        'a file_search tool',
        { tools: [weatherTool, { type: 'file_search', vector_store_ids: ['vs_1'] }] },
        'tools[1].type',
      ],
      [
        'a code interpreter tool',
        { tools: [{ type: 'code_interpreter', container: { type: 'auto' } }] },
        'tools[0].type',
      ],
      [
        'a computer use tool',
        {
          tools: [
            {
              type: 'computer_use_preview',
              display_width: 1,
              display_height: 1,
              environment: 'linux',
            },
          ],
        },
        'tools[0].type',
      ],
      [
        'an input_image part',
        {
          input: [
            {
              role: 'user',
              content: [
                { type: 'input_text', text: 'see' },
                { type: 'input_image', image_url: 'https://x/cat.png', detail: 'auto' },
              ],
            },
          ],
        },
        'input[0].content[1]',
      ],
      [
        'an input_file part',
        { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] },
        'input[0].content[0]',
      ],
      ['a missing input', { input: undefined }, 'input'],
      ['an unknown text format', { text: { format: { type: 'yaml' } } }, 'text.format.type'],
    ])('%s', async (_name, extra, param) => {
      const error = await caught(
        stack.openai.responses.create({ model: MODEL, input: 'x', ...extra } as never),
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error.param).toBe(param);
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('stored responses cannot be retrieved', async () => {
      const error = await caught(stack.openai.responses.retrieve('resp_123'));
      expect(error.status).toBe(400);
      expect(error.code).toBe('unsupported_operation');
    });
  });

  describe('a malformed request is a 400 naming the field, never a 500, and never reaches Groq', () => {
    it.each([
      [
        'number content',
        [{ role: 'user', content: 5 }],
        'input[0].content',
        'a string or an array',
      ],
      ['a null item', [null], 'input[0]', 'must be an input item object'],
      ['object content', [{ role: 'user', content: {} }], 'input[0].content', 'content parts'],
      ['a null content part', [{ role: 'user', content: [null] }], 'input[0].content[0]', 'type'],
      ['a bare function_call', [{ type: 'function_call' }], 'input[0].call_id', 'call_id'],
      [
        'a function_call without a name',
        [{ type: 'function_call', call_id: 'call_1', arguments: '{}' }],
        'input[0].name',
        'name',
      ],
      [
        'a function_call_output without output',
        [{ type: 'function_call_output', call_id: 'call_1' }],
        'input[0].output',
        'output is required',
      ],
      [
        'a function_call_output without call_id',
        [{ type: 'function_call_output', output: '21C' }],
        'input[0].call_id',
        'call_id',
      ],
      ['an empty input', [], 'input', 'at least one item'],
    ])('input with %s', async (_name, input, param, says) => {
      const error = await caught(stack.openai.responses.create({ model: MODEL, input } as never));
      expect(error.status).toBe(400);
      expect(error.type).toBe('invalid_request_error');
      expect(error.param).toBe(param);
      expect(error.message).toContain(says);
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('an unknown tool_choice, as chat refuses it', async () => {
      const error = await caught(
        stack.openai.responses.create({
          model: MODEL,
          input: 'x',
          tools: [weatherTool],
          tool_choice: 'bogus',
        } as never),
      );
      expect(error.status).toBe(400);
      expect(error.param).toBe('tool_choice');
      expect(error.message).toContain("'none', 'auto', 'required'");
      expect(stack.emulator.chatRequests()).toHaveLength(0);
    });

    it('the same on a stream: the 400 comes before any event', async () => {
      const response = await fetch(`${stack.gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: MODEL, input: [{ role: 'user', content: 5 }], stream: true }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe(
        'input[0].content',
      );
    });
  });

  describe("the groq-sdk's surface: /groq/openai/v1/responses", () => {
    const groqSurface = () =>
      new OpenAI({
        baseURL: `${stack.gateway.url}/groq/openai/v1`,
        apiKey: 'sk-client-key-not-forwarded',
        maxRetries: 0,
      });

    it('converts a call with a bare Groq model id, and names the model bare', async () => {
      const response = await groqSurface().responses.create({
        model: 'llama-3.3-70b-versatile',
        input: 'Hello groq surface',
      });
      expect(response.output_text).toContain('You said: Hello groq surface');
      expect(response.model).toBe('llama-3.3-70b-versatile');
      expect(stack.emulator.chatRequests()[0].body?.model).toBe('llama-3.3-70b-versatile');
    });

    it('streams', async () => {
      const final = await groqSurface()
        .responses.stream({ model: 'llama-3.3-70b-versatile', input: 'Stream groq surface' })
        .finalResponse();
      expect(final.output_text).toContain('You said: Stream groq surface');
      expect(final.model).toBe('llama-3.3-70b-versatile');
    });

    it('stored responses cannot be retrieved', async () => {
      const error = await caught(groqSurface().responses.retrieve('resp_123'));
      expect(error.status).toBe(400);
      expect(error.code).toBe('unsupported_operation');
    });
  });
});
