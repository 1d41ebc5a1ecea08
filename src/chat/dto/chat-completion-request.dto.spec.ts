import { GatewayError } from '../../common/errors/gateway-error';
import { BodyValidationPipe } from '../../common/validation/body-validation.pipe';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';

const pipe = new BodyValidationPipe(ChatCompletionRequestDto);
const valid = {
  model: 'groq/llama-3.3-70b-versatile',
  messages: [{ role: 'user', content: 'hi' }],
};

function violation(body: unknown): GatewayError {
  try {
    pipe.transform(body);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a violation');
}

describe('ChatCompletionRequestDto through BodyValidationPipe', () => {
  it('returns the body as sent, unknown fields kept', () => {
    const body = { ...valid, seed: 3, logprobs: true };
    expect(pipe.transform(body)).toBe(body);
  });

  it('accepts the shapes OpenAI allows', () => {
    expect(() =>
      pipe.transform({
        ...valid,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
        stop: ['a', 'b'],
        tool_choice: { type: 'function', function: { name: 'f' } },
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 's', schema: { type: 'object' } },
        },
        temperature: 0,
        top_p: 1,
      }),
    ).not.toThrow();
  });

  it.each([
    [{ ...valid, model: 3 }, 'model', 'model must be a string'],
    [{ ...valid, messages: 'hi' }, 'messages', 'messages must be an array'],
    [
      { ...valid, messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      'messages[0].content must be a string or an array',
    ],
    [
      { ...valid, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages[0].content',
      'text parts need a string text (part 0',
    ],
    [
      {
        ...valid,
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }],
          },
        ],
      },
      'messages[0].tool_calls[0].function.arguments',
      'JSON-encoded string',
    ],
    [{ ...valid, max_tokens: 1.5 }, 'max_tokens', 'max_tokens must be an integer'],
    [{ ...valid, stream: 'yes' }, 'stream', 'stream must be a boolean'],
    [
      { ...valid, stream_options: { include_usage: 'yes' } },
      'stream_options.include_usage',
      'boolean',
    ],
    [
      { ...valid, reasoning_effort: 'extreme' },
      'reasoning_effort',
      'reasoning_effort must be one of',
    ],
  ])('%j is refused at %s', (body, param, message) => {
    const error = violation(body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toContain(message);
  });

  it.each([[null], [[]], ['text'], [42]])('refuses a body that is not an object: %j', (body) => {
    expect(violation(body).code).toBe('invalid_json');
  });
});
