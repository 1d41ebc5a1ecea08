import { GatewayError } from '../common/errors/gateway-error';
import { responsesToChat } from './responses-request.converter';
import type { ResponsesRequest } from './responses-types';

const convert = (request: Partial<ResponsesRequest>) =>
  responsesToChat({ model: 'groq/m', input: 'hi', ...request });

function refusal(request: Partial<ResponsesRequest>): GatewayError {
  try {
    convert(request);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('responsesToChat', () => {
  it('turns a string input and instructions into system and user messages', () => {
    expect(convert({ instructions: 'brief' }).chat.messages).toEqual([
      { role: 'system', content: 'brief' },
      { role: 'user', content: 'hi' },
    ]);
  });

  it('maps the sampling and length parameters', () => {
    const { chat } = convert({
      max_output_tokens: 7,
      temperature: 0.5,
      top_p: 0.9,
      user: 'u',
      reasoning: { effort: 'low' },
      stream: true,
    });
    expect(chat).toMatchObject({
      max_completion_tokens: 7,
      temperature: 0.5,
      top_p: 0.9,
      user: 'u',
      reasoning: { effort: 'low' },
      stream: true,
    });
  });

  it('nests flat function tools and named tool_choice', () => {
    const { chat } = convert({
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }],
      tool_choice: { type: 'function', name: 'f' },
    });
    expect(chat.tools).toEqual([
      { type: 'function', function: { name: 'f', parameters: { type: 'object' } } },
    ]);
    expect(chat.tool_choice).toEqual({ type: 'function', function: { name: 'f' } });
  });

  it('carries parallel_tool_calls over to the chat request, and leaves it out when unsaid', () => {
    const tools = [{ type: 'function', name: 'f' }];
    expect(convert({ tools, parallel_tool_calls: false }).chat.parallel_tool_calls).toBe(false);
    expect(convert({ tools, parallel_tool_calls: true }).chat.parallel_tool_calls).toBe(true);
    expect(convert({ tools, parallel_tool_calls: null }).chat).not.toHaveProperty(
      'parallel_tool_calls',
    );
    expect(convert({ tools }).chat).not.toHaveProperty('parallel_tool_calls');
  });

  it('merges consecutive function_call items into one assistant turn', () => {
    const { chat } = convert({
      input: [
        { role: 'user', content: 'two calls' },
        { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'b', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'a', output: 'A' },
        { type: 'function_call_output', call_id: 'b', output: { ok: true } },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'user', content: 'two calls' },
      {
        role: 'assistant',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'A' },
      { role: 'tool', tool_call_id: 'b', content: '{"ok":true}' },
    ]);
  });

  it("sends a function_call_output of text parts as their text, not as the parts' JSON", () => {
    const { chat } = convert({
      input: [
        { role: 'user', content: 'weather?' },
        { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'a',
          output: [
            { type: 'input_text', text: '19C' },
            { type: 'input_text', text: 'sunny' },
          ],
        },
      ],
    });
    expect(chat.messages.at(-1)).toEqual({
      role: 'tool',
      tool_call_id: 'a',
      content: '19C\nsunny',
    });
  });

  it('joins input_text and earlier output_text parts', () => {
    const { chat } = convert({
      input: [
        { role: 'assistant', content: [{ type: 'output_text', text: 'before' }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_text', text: 'b' },
          ],
        },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'assistant', content: 'before' },
      { role: 'user', content: 'ab' },
    ]);
  });

  it('maps text formats to response_format', () => {
    expect(convert({ text: { format: { type: 'json_object' } } }).chat.response_format).toEqual({
      type: 'json_object',
    });
    expect(convert({ text: { format: { type: 'text' } } }).chat).not.toHaveProperty(
      'response_format',
    );
    expect(
      convert({ text: { format: { type: 'json_schema', name: 'n', schema: { type: 'object' } } } })
        .chat.response_format,
    ).toEqual({
      type: 'json_schema',
      json_schema: { name: 'n', schema: { type: 'object' } },
    });
  });

  it('lists parameters it does not carry over, and keeps metadata out of the chat call', () => {
    const { chat, dropped } = convert({ metadata: { a: 'b' }, truncation: 'auto', include: ['x'] });
    expect(dropped).toEqual(['truncation', 'include']);
    expect(chat).not.toHaveProperty('metadata');
  });

  it.each([
    [{ previous_response_id: 'resp_1' }, 'previous_response_id'],
    [{ store: true }, 'store'],
    [{ background: true }, 'background'],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type'],
    [
      { input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'x' }] }] },
      'input[0].content[0]',
    ],
    [{ input: [{ type: 'item_reference', id: 'x' }] }, 'input[0].type'],
    [{ input: [{ role: 'tool', content: 'x' }] }, 'input[0].role'],
    [{ tool_choice: { type: 'file_search' } }, 'tool_choice'],
    [{ tool_choice: 'bogus' }, 'tool_choice'],
    [{ tool_choice: { type: 'function', name: 5 } }, 'tool_choice'],
    [{ input: [{ role: 'user', content: 5 }] }, 'input[0].content'],
    [{ input: [null] }, 'input[0]'],
    [{ input: [{ role: 'user', content: {} }] }, 'input[0].content'],
    [{ input: [{ role: 'user', content: [null] }] }, 'input[0].content[0]'],
    [{ input: [{ type: 'function_call' }] }, 'input[0].call_id'],
    [{ input: [{ type: 'function_call', call_id: 'c' }] }, 'input[0].name'],
    [{ input: [{ type: 'function_call_output', call_id: 'c' }] }, 'input[0].output'],
    [{ input: [{ type: 'function_call_output', output: 'x' }] }, 'input[0].call_id'],
    [
      {
        input: [
          { role: 'user', content: 'x' },
          {
            type: 'function_call_output',
            call_id: 'c',
            output: [{ type: 'input_image', image_url: 'https://x/y.png' }],
          },
        ],
      },
      'input[1].output[0]',
    ],
    [{ input: [] }, 'input'],
    [{ input: [{ type: 'reasoning', id: 'rs_1', summary: [] }] }, 'input'],
  ])('refuses %j at %s', (request, param) => {
    const error = refusal(request as Partial<ResponsesRequest>);
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it.each([[{ previous_response_id: 'resp_1' }], [{ store: true }]])(
    'says where state is available when refusing %j: native mode',
    (request) => {
      expect(refusal(request as Partial<ResponsesRequest>).message).toContain(
        'responses.mode: native',
      );
    },
  );

  it('says what tool_choice may be when refusing one', () => {
    expect(refusal({ tool_choice: 'bogus' }).message).toBe(
      'tool_choice must be \'none\', \'auto\', \'required\' or {"type": "function", "name": "..."}',
    );
  });

  it('takes an empty input when instructions give the model a message', () => {
    expect(convert({ instructions: 'brief', input: [] }).chat.messages).toEqual([
      { role: 'system', content: 'brief' },
    ]);
  });

  it('accepts store: false', () => {
    expect(() => convert({ store: false })).not.toThrow();
  });
});
