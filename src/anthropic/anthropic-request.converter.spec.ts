import { GatewayError } from '../common/errors/gateway-error';
import { messagesToChat } from './anthropic-request.converter';
import type { AnthropicMessagesRequest } from './anthropic-types';

const convert = (request: Partial<AnthropicMessagesRequest>) =>
  messagesToChat({
    model: 'groq/m',
    max_tokens: 10,
    messages: [{ role: 'user', content: 'hi' }],
    ...request,
  });

function refusal(request: Partial<AnthropicMessagesRequest>): GatewayError {
  try {
    convert(request);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('messagesToChat', () => {
  it('maps system blocks, sampling, user id and max_tokens', () => {
    const { chat } = convert({
      system: [
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ],
      temperature: 0.5,
      top_p: 0.9,
      metadata: { user_id: 'u' },
    });
    expect(chat).toEqual({
      model: 'groq/m',
      max_tokens: 10,
      temperature: 0.5,
      top_p: 0.9,
      user: 'u',
      messages: [
        { role: 'system', content: 'ab' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('keeps stop sequences for the gateway to apply, and does not send them', () => {
    const { chat, stopSequences } = convert({ stop_sequences: ['END'] });
    expect(stopSequences).toEqual(['END']);
    expect(chat).not.toHaveProperty('stop');
  });

  it('keeps more stop sequences than Groq takes, none sent', () => {
    const sequences = ['a', 'b', 'c', 'd', 'e'];
    const { chat, stopSequences, dropped } = convert({ stop_sequences: sequences });
    expect(stopSequences).toEqual(sequences);
    expect(chat).not.toHaveProperty('stop');
    expect(dropped).toEqual([]);
  });

  it('turns tool_use into tool_calls and tool_result into tool messages before the user text', () => {
    const { chat } = convert({
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 't1', name: 'w', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'cold' }] },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'w', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: 'cold' },
      { role: 'user', content: 'thanks' },
    ]);
  });

  it('marks a failed tool result', () => {
    const { chat } = convert({
      messages: [
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 't', content: 'boom', is_error: true }],
        },
      ],
    });
    expect(chat.messages[0]).toEqual({ role: 'tool', tool_call_id: 't', content: 'Error: boom' });
  });

  it('leaves out an empty final assistant turn (Groq refuses an empty message)', () => {
    const { chat } = convert({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [] },
      ],
    });
    expect(chat.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('leaves out an assistant turn of thinking only: Groq takes no thinking and refuses an empty message', () => {
    const { chat } = convert({
      messages: [
        { role: 'user', content: 'hi' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'redacted_thinking', data: 'x' },
          ],
        },
        { role: 'user', content: 'and?' },
      ] as AnthropicMessagesRequest['messages'],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'user', content: 'and?' },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
    [
      { type: 'tool', name: 'w' },
      { type: 'function', function: { name: 'w' } },
    ],
  ])('maps tool_choice %j', (choice, expected) => {
    expect(
      convert({ tool_choice: choice as AnthropicMessagesRequest['tool_choice'] }).chat.tool_choice,
    ).toEqual(expected);
  });

  it('converts tools with input_schema as parameters', () => {
    const { chat } = convert({ tools: [{ name: 'w', input_schema: { type: 'object' } }] });
    expect(chat.tools).toEqual([
      { type: 'function', function: { name: 'w', parameters: { type: 'object' } } },
    ]);
  });

  it('drops top_k and reports it', () => {
    expect(convert({ top_k: 5 }).dropped).toEqual(['top_k']);
  });

  it.each([
    [
      { messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] },
      'messages[0].content[0]',
      /image blocks/,
    ],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image' }] }],
          },
        ],
      },
      'messages[0].content[0].content[0]',
      /image/,
    ],
    [{ system: [{ type: 'image' }] }, 'system[0]', /image/],
    [{ container: 'c' }, 'container', /not permitted/],
  ])('refuses %j at %s', (request, param, message) => {
    const error = refusal(request as Partial<AnthropicMessagesRequest>);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});
