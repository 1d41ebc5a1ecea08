/**
 * Malformed Anthropic Messages bodies and the 400 message each must get (Anthropic's own field
 * paths): one table for the in-process controller spec and the e2e through the official SDK.
 */
export const BLOCK =
  'must be a content block: an object with a type, such as {"type": "text", "text": "..."}';

const HI = { role: 'user', content: 'Hi' };
const TOOL = { name: 'weather', input_schema: { type: 'object' } };

export const MALFORMED_MESSAGES_BODIES: Array<[string, Record<string, unknown>, string]> = [
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
    'an empty text block in a user turn',
    { messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] },
    'messages.0.content.0.text: text content blocks must be non-empty',
  ],
  [
    'an empty system text block',
    { system: [{ type: 'text', text: '' }], messages: [HI] },
    'system.0.text: text content blocks must be non-empty',
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
      messages: [HI, { role: 'assistant', content: [{ type: 'tool_use', name: 'w', input: {} }] }],
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
  [
    "a tool_choice of type 'tool' without a name",
    { tool_choice: { type: 'tool' }, tools: [TOOL], messages: [HI] },
    "tool_choice.name is required when type is 'tool'",
  ],
  [
    "a tool_choice of type 'tool' with a null name",
    { tool_choice: { type: 'tool', name: null }, tools: [TOOL], messages: [HI] },
    "tool_choice.name is required when type is 'tool'",
  ],
];
