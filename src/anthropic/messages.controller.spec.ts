import { BLOCK, MALFORMED_MESSAGES_BODIES } from '../../test/support/anthropic-refusals';
import { estimateTokens } from '../providers/token-estimate';
import {
  controllerSetup,
  type ControllerSetup,
  upstreamBrokeMidStream,
  expectEndedFailedMidStream,
} from '../../test/support/controller-setup';

const MODEL = 'groq/llama-3.3-70b-versatile';
const MESSAGE = { model: MODEL, max_tokens: 20 };
const HI = { role: 'user', content: 'Hi' };

describe('MessagesController (in-process, real validation)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup();
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    setup.groq.calls.splice(0);
    setup.ended.length = 0;
  });

  const post = (url: string, payload: object) =>
    setup.inject({ method: 'POST', url: `/anthropic/v1/messages${url}`, payload });

  const refused = (message: string) => ({
    type: 'error',
    error: { type: 'invalid_request_error', message },
  });

  it.each(MALFORMED_MESSAGES_BODIES)(
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

  it('streams the message, ended on the call with no error code', async () => {
    const response = await post('', { ...MESSAGE, messages: [HI], stream: true });
    expect(response.statusCode).toBe(200);
    const frames = response.body.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('event: message_stop\ndata: {"type":"message_stop"}');
    expect(setup.ended[0]).toMatchObject({ status: 200, stream: true });
    expect(setup.ended[0].errorCode).toBeUndefined();
  });

  it('ends a stream that fails after message_start with one error event, recorded on the call', async () => {
    setup.groq.failAfterChunks = upstreamBrokeMidStream();
    try {
      const response = await post('', { ...MESSAGE, messages: [HI], stream: true });
      expect(response.statusCode).toBe(200);
      const frames = response.body.split('\n\n').filter(Boolean);
      expect(frames.at(-1)).toBe(
        'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream broke"}}',
      );
      expect(frames.filter((frame) => frame.startsWith('event: error'))).toHaveLength(1);
      expect(frames.some((frame) => frame.startsWith('event: message_stop'))).toBe(false);
      // As on chat: the 200 is gone, the call still ends failed (access line, request log).
      expectEndedFailedMidStream(setup);
    } finally {
      setup.groq.failAfterChunks = undefined;
    }
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

    it('estimates a valid request from its system prompt, messages and tools', async () => {
      const system = 'You are terse.';
      const tools = [{ name: 'weather', input_schema: { type: 'object' } }];
      const response = await post('/count_tokens', { model: MODEL, system, messages: [HI], tools });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-gateway-estimate']).toBe('true');
      expect(response.json()).toEqual({ input_tokens: estimateTokens([system, [HI], tools]) });
      // The system prompt and the tools count, not the messages alone.
      expect(response.json().input_tokens).toBeGreaterThan(estimateTokens(['', [HI], []]));
    });
  });
});
