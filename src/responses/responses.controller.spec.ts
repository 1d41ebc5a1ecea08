import {
  controllerSetup,
  type ControllerSetup,
  upstreamBrokeMidStream,
  expectEndedFailedMidStream,
} from '../../test/support/controller-setup';

const MODEL = 'groq/llama-3.3-70b-versatile';

describe('ResponsesController (in-process, real validation)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

  const post = (payload: object, url = '/v1/responses') =>
    setup.inject({ method: 'POST', url, payload });
  const refusal = (message: string, param: string | null, code: string | null = null) => ({
    error: { message, type: 'invalid_request_error', code, param },
  });

  /** The response object for the stub's completion, echoing what the request set. */
  const responseSaying = (text: string, echoed: Record<string, unknown> = {}) => ({
    id: 'resp_stub',
    object: 'response',
    created_at: 1_700_000_000,
    status: 'completed',
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: MODEL,
    output: [
      {
        type: 'message',
        id: 'msg_stub',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
      },
    ],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    metadata: {},
    ...echoed,
  });

  it('converts the request to one chat call and answers a response object', async () => {
    const response = await post({
      model: MODEL,
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 50,
      temperature: 0.2,
      metadata: { team: 'a' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(
      responseSaying('Hello from the stub', {
        instructions: 'Be brief.',
        max_output_tokens: 50,
        temperature: 0.2,
        metadata: { team: 'a' },
        usage: {
          input_tokens: 7,
          input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
          output_tokens: 3,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 10,
        },
      }),
    );
    expect(setup.groq.calls).toHaveLength(1);
    expect(setup.groq.calls[0].body).toEqual({
      model: 'llama-3.3-70b-versatile',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      stream: false,
      max_completion_tokens: 50,
      temperature: 0.2,
    });
    expect(setup.ended[0]).toMatchObject({ status: 200, apiFamily: 'responses' });
  });

  it('lists a parameter it does not carry over in x-gateway-dropped-params', async () => {
    const response = await post({ model: MODEL, input: 'Hi', truncation: 'auto' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-gateway-dropped-params']).toBe('truncation');
    expect(setup.groq.calls[0].body).not.toHaveProperty('truncation');
  });

  it("streams Responses events in OpenAI's order, numbered, ending with response.completed", async () => {
    const response = await post({ model: MODEL, input: 'Hi', stream: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const frames = response.body.split('\n\n').filter(Boolean);
    const events = frames.map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      const data = JSON.parse(dataLine.replace(/^data: /, '')) as Record<string, unknown>;
      // Each frame names its event twice: the SSE event line and the payload's type.
      expect(eventLine).toBe(`event: ${String(data.type)}`);
      return data;
    });
    expect(events.map((event) => [event.type, event.sequence_number])).toEqual([
      ['response.created', 0],
      ['response.in_progress', 1],
      ['response.output_item.added', 2],
      ['response.content_part.added', 3],
      ['response.output_text.delta', 4],
      ['response.output_text.delta', 5],
      ['response.output_text.done', 6],
      ['response.content_part.done', 7],
      ['response.output_item.done', 8],
      ['response.completed', 9],
    ]);
    expect(
      events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta),
    ).toEqual(['Hel', 'lo']);
    // The same converter as the JSON answer, from the chunks gathered: the stub's stream says
    // "Hello" and reports 7 + 2 tokens.
    expect(events.at(-1)).toEqual({
      type: 'response.completed',
      sequence_number: 9,
      response: responseSaying('Hello', {
        usage: {
          input_tokens: 7,
          input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
          output_tokens: 2,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 9,
        },
      }),
    });
    expect(setup.groq.calls[0].body.stream).toBe(true);
  });

  it('ends a stream that fails after it started with one error event, numbered in turn, recorded on the call', async () => {
    setup.groq.failAfterChunks = upstreamBrokeMidStream();
    try {
      const response = await post({ model: MODEL, input: 'Hi', stream: true });
      expect(response.statusCode).toBe(200);
      const frames = response.body.split('\n\n').filter(Boolean);
      // created, in_progress, the item and part added, two deltas: then the failure.
      expect(frames).toHaveLength(7);
      expect(frames.at(-1)).toBe(
        'event: error\ndata: {"type":"error","code":"upstream_stream_incomplete","message":"upstream broke","param":null,"sequence_number":6}',
      );
      // As on chat: the 200 is gone, the call still ends failed (access line, request log).
      expectEndedFailedMidStream(setup);
    } finally {
      setup.groq.failAfterChunks = undefined;
    }
  });

  it.each([
    [
      'no model',
      { input: 'Hi' },
      refusal('model is required, e.g. groq/openai/gpt-oss-120b', 'model'),
    ],
    [
      'no input',
      { model: MODEL },
      refusal('input must be a string or an array of input items', 'input'),
    ],
    [
      'a temperature out of range',
      { model: MODEL, input: 'Hi', temperature: 3 },
      refusal('temperature must not be greater than 2', 'temperature'),
    ],
    [
      'a json_schema format without a name',
      { model: MODEL, input: 'Hi', text: { format: { type: 'json_schema', schema: {} } } },
      refusal('text.format.name is required when type is json_schema', 'text.format.name'),
    ],
    [
      'a function tool without a name',
      { model: MODEL, input: 'Hi', tools: [{ type: 'function', parameters: {} }] },
      refusal('tools[0].name is required on a function tool', 'tools[0].name'),
    ],
    [
      'an input that leaves no message',
      { model: MODEL, input: [] },
      refusal(
        'input has no message for the model: send a string, or at least one item such as {"role": "user", "content": "..."}',
        'input',
      ),
    ],
    [
      'previous_response_id (no state is kept)',
      { model: MODEL, input: 'Hi', previous_response_id: 'resp_1' },
      refusal(
        "previous_response_id is not supported: the gateway keeps no conversation state for the groq provider. Send the earlier turns in input instead (Responses calls converted to chat, this gateway's default, keep no state; with responses.mode: native in GATEWAY_CONFIG the gateway passes them to Groq's own Responses API, which takes it).",
        'previous_response_id',
      ),
    ],
    [
      'background: true',
      { model: MODEL, input: 'Hi', background: true },
      refusal(
        'background responses are not supported for the groq provider. Omit background or set it to false.',
        'background',
      ),
    ],
    [
      'a built-in tool',
      { model: MODEL, input: 'Hi', tools: [{ type: 'web_search' }] },
      refusal(
        "the built-in tool 'web_search' is not supported by the groq provider; only function tools are.",
        'tools[0].type',
      ),
    ],
    [
      'an input_image part',
      {
        model: MODEL,
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_text', text: 'What is this?' },
              { type: 'input_image', image_url: 'https://example.com/a.png' },
            ],
          },
        ],
      },
      refusal(
        'input_image is not supported by the groq provider through this gateway. Remove the image or describe it in text.',
        'input[0].content[1]',
        'unsupported_content',
      ),
    ],
  ])(
    'refuses %s with a 400 naming the field, before any upstream call',
    async (_name, body, expected) => {
      const response = await post(body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(expected);
      expect(setup.groq.calls).toHaveLength(0);
      expect(setup.ended[0]).toMatchObject({ status: 400, upstreamStarted: false });
    },
  );

  it.each([
    ['GET', '/v1/responses/resp_1'],
    ['DELETE', '/openai/v1/responses/resp_1'],
    ['POST', '/groq/openai/v1/responses/resp_1/cancel'],
  ] as const)('answers %s %s (a stored response) unsupported_operation', async (method, url) => {
    const response = await setup.inject({ method, url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      refusal(
        'stored responses are not supported by groq provider: responses are not stored, so they cannot be retrieved, cancelled or deleted',
        null,
        'unsupported_operation',
      ),
    );
    expect(setup.groq.calls).toHaveLength(0);
  });
});
