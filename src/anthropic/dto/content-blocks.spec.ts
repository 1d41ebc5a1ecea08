import { messagesProblem, systemProblem } from './content-blocks';

const user = (content: unknown) => ({ role: 'user', content });
const assistant = (content: unknown) => ({ role: 'assistant', content });

describe('messagesProblem', () => {
  it('takes strings, the blocks the converter reads, and blocks it refuses by type', () => {
    expect(
      messagesProblem([
        user('weather?'),
        assistant([
          { type: 'thinking', thinking: 'hmm', signature: '' },
          { type: 'redacted_thinking', data: 'x' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 't1', name: 'w', input: { city: 'Oslo' } },
        ]),
        user([
          { type: 'tool_result', tool_use_id: 't1', content: 'cold', is_error: false },
          { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'cold' }] },
          { type: 'tool_result', tool_use_id: 't1' },
          { type: 'image', source: {} },
        ]),
        assistant([]),
      ]),
    ).toBeUndefined();
  });

  it.each([
    [
      [user([null])],
      'messages.0.content.0: must be a content block: an object with a type, such as {"type": "text", "text": "..."}',
    ],
    [
      [user('hi'), assistant([null])],
      'messages.1.content.0: must be a content block: an object with a type, such as {"type": "text", "text": "..."}',
    ],
    [[user(['hi'])], 'messages.0.content.0: must be a content block'],
    [[user([{ text: 'hi' }])], 'messages.0.content.0.type: Field required, a string such as'],
    [[user([{ type: 1 }])], 'messages.0.content.0.type: must be a string such as'],
    [[user([{ type: 'text' }])], 'messages.0.content.0.text: Field required, a string'],
    [[user(5)], 'messages.0.content: must be a string or an array of content blocks'],
    [[{ role: 'user' }], 'messages.0.content: Field required, a string or an array of content'],
    [
      [user([{ type: 'tool_result', tool_use_id: 't', content: 5 }])],
      'messages.0.content.0.content: must be a string or an array of text blocks',
    ],
    [
      [user([{ type: 'tool_result', tool_use_id: 't', content: [null] }])],
      'messages.0.content.0.content.0: must be a content block',
    ],
    [
      [user([{ type: 'tool_result', content: 'x' }])],
      'messages.0.content.0.tool_use_id: Field required, the id of the tool_use block this result answers',
    ],
    [
      [user([{ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }])],
      'messages.0.content.0.is_error: must be a boolean',
    ],
    [
      [user('hi'), assistant([{ type: 'tool_use', name: 'w', input: {} }])],
      'messages.1.content.0.id: Field required, the id of the tool call, a non-empty string',
    ],
    [
      [user('hi'), assistant([{ type: 'tool_use', id: 't', input: {} }])],
      'messages.1.content.0.name: Field required, the name of the tool called',
    ],
    [
      [user('hi'), assistant([{ type: 'tool_use', id: 't', name: 'w', input: [1] }])],
      'messages.1.content.0.input: must be a JSON object',
    ],
    [
      [user('hi'), assistant([{ type: 'tool_use', id: '', name: 'w' }])],
      'messages.1.content.0.id: must be the id of the tool call, a non-empty string',
    ],
    [
      [user('hi'), assistant([{ type: 'thinking' }])],
      'messages.1.content.0.thinking: Field required',
    ],
    [
      [user([])],
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    [[user('')], 'messages.0: all messages must have non-empty content'],
    [[user('hi'), assistant([]), user('and?')], 'messages.1: all messages must have non-empty'],
  ])('refuses %j: %s', (messages, message) => {
    expect(messagesProblem(messages)).toMatch(new RegExp(`^${escape(message)}`));
  });

  it('leaves a message that is not an object to the rules for the list', () => {
    expect(messagesProblem([null, 'x'])).toBeUndefined();
  });
});

describe('systemProblem', () => {
  it('takes a string or blocks, and names the block that is wrong', () => {
    expect(systemProblem('be brief')).toBeUndefined();
    expect(systemProblem([{ type: 'text', text: 'a', cache_control: {} }])).toBeUndefined();
    expect(systemProblem([null])).toMatch(/^system\.0: must be a content block/);
    expect(systemProblem([{ type: 'text', text: 1 }])).toBe('system.0.text: must be a string');
    expect(systemProblem(5)).toBe('system: must be a string or an array of text blocks');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
