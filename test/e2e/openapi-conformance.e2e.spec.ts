import { OpenAiSchemas } from './support/openai-schemas';
import { manyKeys, Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

interface Sse {
  event?: string;
  data: unknown;
}

/** The events of an SSE body: `event:` when there is one, `data:` parsed, `[DONE]` left out. */
function sseEvents(text: string): Sse[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.+)$/m.exec(frame)?.[1];
      const data = /^data: (.+)$/m.exec(frame)?.[1] ?? '';
      return { event, data };
    })
    .filter((e) => e.data !== '[DONE]')
    .map((e) => ({ event: e.event, data: JSON.parse(e.data) as unknown }));
}

describe("answers conform to OpenAI's published OpenAPI document (openai/openai-openapi)", () => {
  const schemas = new OpenAiSchemas();
  let stack: Stack;
  const post = async (path: string, body: object, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const expectConforms = (schema: string, value: unknown) =>
    expect(schemas.problems(schema, value)).toEqual([]);

  beforeAll(async () => {
    stack = await startStack({ RETRY_MAX_ATTEMPTS: '1', GROQ_API_KEYS: manyKeys(4) });
  });
  afterAll(() => stack.stop());

  it('a chat completion (CreateChatCompletionResponse): messages carry refusal: null', async () => {
    const { status, text } = await post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(status).toBe(200);
    const completion = JSON.parse(text) as { choices: Array<{ message: object }> };
    expect(completion.choices[0].message).toHaveProperty('refusal', null);
    expectConforms('CreateChatCompletionResponse', completion);
  });

  it('a chat completion with a tool call', async () => {
    const { status, text } = await post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: TOOLS,
      tool_choice: 'required',
    });
    expect(status).toBe(200);
    const completion = JSON.parse(text) as { choices: Array<{ message: { tool_calls: [] } }> };
    expect(completion.choices[0].message.tool_calls.length).toBeGreaterThan(0);
    expectConforms('CreateChatCompletionResponse', completion);
  });

  it('every chunk of a chat stream, the usage chunk included (CreateChatCompletionStreamResponse)', async () => {
    for (const body of [
      { messages: [{ role: 'user', content: 'Tell me a story' }] },
      { messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: TOOLS },
    ]) {
      const { status, text } = await post('/v1/chat/completions', {
        model: MODEL,
        ...body,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(status).toBe(200);
      const chunks = sseEvents(text);
      expect(chunks.length).toBeGreaterThan(2);
      for (const chunk of chunks) expectConforms('CreateChatCompletionStreamResponse', chunk.data);
    }
  });

  it('a Responses answer (Response): output_text parts carry logprobs, and no user: null', async () => {
    for (const body of [
      { input: 'Why is the sky blue?', instructions: 'One sentence.', max_output_tokens: 50 },
      {
        input: 'Weather in Paris?',
        tools: [
          { type: 'function', name: 'get_weather', parameters: TOOLS[0].function.parameters },
        ],
      },
    ]) {
      const { status, text } = await post('/v1/responses', { model: MODEL, ...body });
      expect(status).toBe(200);
      const response = JSON.parse(text) as Record<string, unknown>;
      expect(response.user).not.toBeNull();
      expectConforms('Response', response);
    }
    const { text } = await post('/v1/responses', { model: MODEL, input: 'Hi' });
    const parts = (JSON.parse(text) as { output: Array<{ content: object[] }> }).output[0].content;
    expect(parts[0]).toHaveProperty('logprobs', []);
  });

  it('every event of a Responses stream (ResponseStreamEvent)', async () => {
    for (const body of [
      { input: 'Tell me a story' },
      {
        input: 'Weather in Paris?',
        tools: [
          { type: 'function', name: 'get_weather', parameters: TOOLS[0].function.parameters },
        ],
      },
    ]) {
      const { status, text } = await post('/v1/responses', { model: MODEL, ...body, stream: true });
      expect(status).toBe(200);
      const events = sseEvents(text);
      expect(events.length).toBeGreaterThan(4);
      for (const event of events) {
        const type = (event.data as { type: string }).type;
        expect(type).toBe(event.event);
        expectConforms(schemas.eventSchema(type), event.data);
        expectConforms('ResponseStreamEvent', event.data);
      }
    }
  });

  it('a Responses stream that fails mid-way ends with an error event that conforms', async () => {
    const { text } = await post('/v1/responses', {
      model: MODEL,
      input: 'break [fault:stream-error=2]',
      stream: true,
    });
    const events = sseEvents(text);
    expect(events[events.length - 1].event).toBe('error');
    for (const event of events) {
      expectConforms(schemas.eventSchema((event.data as { type: string }).type), event.data);
      expectConforms('ResponseStreamEvent', event.data);
    }
  });

  it('a text completion (CreateCompletionResponse)', async () => {
    const { status, text } = await post(
      '/v1/completions',
      { model: MODEL, prompt: 'Say hi', max_tokens: 20 },
      { 'x-litellm-fallback': 'true' },
    );
    expect(status).toBe(200);
    expectConforms('CreateCompletionResponse', JSON.parse(text));
  });

  it('the model list and one model (ListModelsResponse, Model)', async () => {
    const list = (await (await fetch(`${stack.gateway.url}/v1/models`)).json()) as {
      data: Array<{ id: string }>;
    };
    expectConforms('ListModelsResponse', list);
    const one = await fetch(`${stack.gateway.url}/v1/models/${list.data[0].id}`);
    expectConforms('Model', await one.json());
  });

  it('errors: validation, unknown URL, upstream 429 and 500, and an in-stream error (ErrorResponse)', async () => {
    const answers = [
      await post('/v1/chat/completions', { model: MODEL, messages: [], temperature: 9 }),
      await post('/chat/completions', { model: MODEL, messages: [] }),
      await post('/v1/chat/completions', {
        model: MODEL,
        messages: [{ role: 'user', content: 'x [fault:429;retry-after=1]' }],
      }),
      await post('/v1/chat/completions', {
        model: MODEL,
        messages: [{ role: 'user', content: 'x [fault:500]' }],
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 404, 429, expect.any(Number)]);
    expect(answers[3].status).toBeGreaterThanOrEqual(500);
    for (const answer of answers) expectConforms('ErrorResponse', JSON.parse(answer.text));
    const streamed = await post('/v1/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'x [fault:stream-error=2]' }],
      stream: true,
    });
    const events = sseEvents(streamed.text);
    expectConforms('ErrorResponse', events[events.length - 1].data);
  });
});
