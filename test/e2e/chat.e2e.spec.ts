import { GATEWAY_KEY, Stack, startStack } from './support/stack';

describe('POST /v1/chat/completions through the official openai client', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.emulator.reset());

  it("answers a JSON chat with Groq's fields kept", async () => {
    const completion = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Hello gateway' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content).toContain('You said: Hello gateway');
    expect(completion.choices[0].finish_reason).toBe('stop');
    const usage = completion.usage as unknown as Record<string, number>;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.total_time).toEqual(expect.any(Number));
    expect((completion as unknown as { x_groq: { id: string } }).x_groq.id).toMatch(/^req_/);
  });

  it('sends Groq the model without its prefix, with the gateway key, never the client key', async () => {
    await stack.openai.chat.completions.create({
      model: 'groq/llama-3.1-8b-instant',
      messages: [{ role: 'user', content: 'hi' }],
    });
    const [received] = stack.emulator.chatRequests();
    expect(received.body?.model).toBe('llama-3.1-8b-instant');
    expect(received.headers.authorization).toBe(`Bearer ${GATEWAY_KEY}`);
    expect(JSON.stringify(received.headers)).not.toContain('sk-client-key-not-forwarded');
  });

  it('routes a model id without a provider prefix to Groq whole', async () => {
    const completion = await stack.openai.chat.completions.create({
      model: 'openai/gpt-oss-120b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    // One public name on /v1: groq/<id>, whatever spelling the request used.
    expect(completion.model).toBe('groq/openai/gpt-oss-120b');
    expect(stack.emulator.chatRequests()[0].body?.model).toBe('openai/gpt-oss-120b');
    expect(
      (completion.choices[0].message as unknown as { reasoning: string }).reasoning,
    ).toBeTruthy();
  });

  it("max_tokens: null is OpenAI's 'no limit': forwarded as it is, the whole answer comes back", async () => {
    const completion = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'no limit please' }],
      max_tokens: null,
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.content).toContain('no limit please');
    expect(stack.emulator.chatRequests().at(-1)?.body).toMatchObject({ max_tokens: null });
  });

  it('forwards only allowed parameters and lists the dropped ones in x-gateway-dropped-params', async () => {
    const { data, response } = await stack.openai.chat.completions
      .create({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'hi', name: 'alice' }],
        temperature: 0.2,
        top_p: 0.9,
        max_tokens: 50,
        stop: ['END'],
        n: 1,
        logprobs: true,
        logit_bias: { '42': 1 },
        presence_penalty: 0.5,
        seed: 7,
        reasoning_effort: undefined,
      })
      .withResponse();
    expect(data.choices[0].message.content).toBeTruthy();
    const dropped = response.headers.get('x-gateway-dropped-params')?.split(',') ?? [];
    expect(dropped).toEqual(
      expect.arrayContaining([
        'n',
        'logprobs',
        'logit_bias',
        'presence_penalty',
        'messages[].name',
      ]),
    );
    // seed is Groq's own parameter too: forwarded.
    expect(dropped).not.toContain('seed');
    const body = stack.emulator.chatRequests()[0].body ?? {};
    expect(Object.keys(body).sort()).toEqual([
      'max_tokens',
      'messages',
      'model',
      'seed',
      'stop',
      'stream',
      'temperature',
      'top_p',
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('drops a user longer than 64 characters and still answers', async () => {
    const { data, response } = await stack.openai.chat.completions
      .create({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'hi' }],
        user: 'u'.repeat(65),
      })
      .withResponse();
    expect(data.choices[0].message.content).toBeTruthy();
    expect(response.headers.get('x-gateway-dropped-params')).toBe('user');
    expect(stack.emulator.chatRequests()[0].body).not.toHaveProperty('user');
  });

  it('keeps a user of 64 characters', async () => {
    await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'hi' }],
      user: 'u'.repeat(64),
    });
    expect(stack.emulator.chatRequests()[0].body?.user).toBe('u'.repeat(64));
  });

  it("maps reasoning to Groq's reasoning_effort", async () => {
    await stack.openai.chat.completions.create({
      model: 'groq/openai/gpt-oss-20b',
      messages: [{ role: 'user', content: 'think' }],
      // @ts-expect-error the gateway's `reasoning` parameter is not in the chat types
      reasoning: { effort: 'high' },
    });
    const body = stack.emulator.chatRequests()[0].body ?? {};
    expect(body.reasoning_effort).toBe('high');
    expect(body).not.toHaveProperty('reasoning');
  });

  it('returns tool calls in JSON', async () => {
    const completion = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        },
      ],
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    // Groq leaves content out of a tool-call message; OpenAI's schema requires it (null).
    expect(choice.message.content).toBeNull();
    expect(choice.message.refusal).toBeNull();
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      city: 'Paris',
    });
  });

  it('completes a tool round trip with assistant tool_calls and a tool message', async () => {
    const completion = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C and sunny' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    expect(completion.choices[0].message.content).toBe('The tool returned: 18C and sunny');
  });

  it('streams text chunk by chunk and ends the stream', async () => {
    const stream = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'stream this please' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(
      'Hello from the Groq emulator (llama-3.3-70b-versatile). You said: stream this please',
    );
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
  });

  it("adds OpenAI's final usage chunk from x_groq.usage when include_usage is set", async () => {
    const stream = await stack.openai.chat.completions.create({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.total_tokens).toBe(
      (last.usage?.prompt_tokens ?? 0) + (last.usage?.completion_tokens ?? 0),
    );
    expect(chunks.filter((c) => c.choices.length === 0)).toHaveLength(1);
    // One public name on every chunk, the usage chunk too.
    expect(new Set(chunks.map((c) => c.model))).toEqual(new Set(['groq/llama-3.3-70b-versatile']));
    expect(stack.emulator.chatRequests()[0].body).not.toHaveProperty('stream_options');
  });

  it('streams tool calls that the SDK accumulates by index', async () => {
    const runner = stack.openai.chat.completions.stream({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' }, days: { type: 'integer' } },
            },
          },
        },
      ],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0].message.tool_calls?.[0];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      city: 'Paris',
      days: 42,
    });
  });

  it('answers 200 with text/event-stream for streams and application/json otherwise', async () => {
    const streamed = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await streamed.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toMatch(/^(id|event):/m);

    const plain = await fetch(`${stack.gateway.url}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'x' }],
      }),
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it("echoes the caller's x-request-id", async () => {
    const response = await fetch(`${stack.gateway.url}/v1/models`, {
      headers: { 'x-request-id': 'trace-abc-123' },
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});
