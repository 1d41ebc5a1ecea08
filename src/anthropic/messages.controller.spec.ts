import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

const MODEL = 'groq/llama-3.3-70b-versatile';
const MESSAGE = { model: MODEL, max_tokens: 20 };
const HI = { role: 'user', content: 'Hi' };

describe('MessagesController (in-process, real validation)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.groq.calls.splice(0));

  const post = (url: string, payload: object) =>
    setup.inject({ method: 'POST', url: `/anthropic/v1/messages${url}`, payload });

  const refused = (message: string) => ({
    type: 'error',
    error: { type: 'invalid_request_error', message },
  });

  const BLOCK =
    'must be a content block: an object with a type, such as {"type": "text", "text": "..."}';

  it.each([
    [
      'a null user block',
      { messages: [{ role: 'user', content: [null] }] },
      `messages.0.content.0: ${BLOCK}`,
    ],
    [
      'a null assistant block',
      { messages: [HI, { role: 'assistant', content: [null] }] },
      `messages.1.content.0: ${BLOCK}`,
    ],
    ['a null system block', { system: [null], messages: [HI] }, `system.0: ${BLOCK}`],
    [
      'tool_result content 5',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 5 }] },
        ],
      },
      'messages.0.content.0.content: must be a string or an array of text blocks',
    ],
    [
      'tool_result content [null]',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [null] }] },
        ],
      },
      `messages.0.content.0.content.0: ${BLOCK}`,
    ],
    [
      'an empty user turn',
      { messages: [{ role: 'user', content: [] }] },
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'an empty assistant turn before the last',
      { messages: [HI, { role: 'assistant', content: '' }, HI] },
      'messages.1: all messages must have non-empty content except for the optional final assistant message',
    ],
    [
      'a tool_use without id',
      {
        messages: [
          HI,
          { role: 'assistant', content: [{ type: 'tool_use', name: 'w', input: {} }] },
        ],
      },
      'messages.1.content.0.id: Field required, the id of the tool call, a non-empty string',
    ],
    [
      'a tool_use without name',
      {
        messages: [HI, { role: 'assistant', content: [{ type: 'tool_use', id: 't', input: {} }] }],
      },
      'messages.1.content.0.name: Field required, the name of the tool called, a non-empty string',
    ],
    [
      'a tool_result without tool_use_id',
      { messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages.0.content.0.tool_use_id: Field required, the id of the tool_use block this result answers, a non-empty string',
    ],
    ['top_k "x"', { top_k: 'x', messages: [HI] }, 'top_k must be an integer, 0 or more'],
  ])(
    'answers %s with a 400 naming the field, before any upstream call',
    async (_name, body, message) => {
      const response = await post('', { ...MESSAGE, ...body });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(refused(message));
      expect(setup.groq.calls).toHaveLength(0);
    },
  );

  it('does not send an empty final assistant turn (a prefill of nothing) upstream', async () => {
    const response = await post('', {
      ...MESSAGE,
      messages: [HI, { role: 'assistant', content: [] }],
    });
    expect(response.statusCode).toBe(200);
    expect(setup.groq.calls[0].body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  describe('count_tokens', () => {
    it.each([
      ['no model', { messages: [HI] }, 'model: Field required'],
      ['no messages', { model: MODEL }, 'messages: Field required, an array of messages'],
      [
        'a null block',
        { model: MODEL, messages: [{ role: 'user', content: [null] }] },
        `messages.0.content.0: ${BLOCK}`,
      ],
    ])('answers %s with a 400 naming the field', async (_name, body, message) => {
      const response = await post('/count_tokens', body);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(refused(message));
    });

    it('estimates a valid request', async () => {
      const response = await post('/count_tokens', { model: MODEL, messages: [HI] });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-gateway-estimate']).toBe('true');
      expect(response.json()).toEqual({ input_tokens: expect.any(Number) });
    });
  });
});
