import { GatewayError } from '../common/errors/gateway-error';
import { checkInputItems } from './responses-input-items';

function refusal(items: unknown[]): GatewayError {
  try {
    checkInputItems(items);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe('checkInputItems', () => {
  it('takes the item shapes the conversion reads', () => {
    expect(() =>
      checkInputItems([
        { role: 'user', content: 'plain' },
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'a' }] },
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'b', annotations: [] }],
        },
        { role: 'user', content: [] },
        { type: 'reasoning', id: 'rs_1', summary: [] },
        { type: 'function_call', call_id: 'c', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'c', name: 'f' },
        { type: 'function_call_output', call_id: 'c', output: 'done' },
        { type: 'function_call_output', call_id: 'c', output: { ok: true } },
        // Shapes checked here, refused (or not) by the conversion: Groq's business.
        { role: 'user', content: [{ type: 'input_image', image_url: 'x' }] },
        { type: 'item_reference', id: 'x' },
      ]),
    ).not.toThrow();
  });

  it.each([
    ['a null item', [null], 'input[0]'],
    ['a string item', ['hi'], 'input[0]'],
    ['an array item', [[]], 'input[0]'],
    ['a number type', [{ type: 5 }], 'input[0].type'],
    ['a message without a role', [{ content: 'x' }], 'input[0].role'],
    ['a tool role', [{ role: 'tool', content: 'x' }], 'input[0].role'],
    ['number content', [{ role: 'user', content: 5 }], 'input[0].content'],
    ['object content', [{ role: 'user', content: {} }], 'input[0].content'],
    ['null content', [{ role: 'user', content: null }], 'input[0].content'],
    ['no content', [{ role: 'user' }], 'input[0].content'],
    ['a null part', [{ role: 'user', content: [null] }], 'input[0].content[0]'],
    ['a part without type', [{ role: 'user', content: [{ text: 'x' }] }], 'input[0].content[0]'],
    [
      'a text part without text',
      [{ role: 'user', content: [{ type: 'input_text', text: 'ok' }, { type: 'input_text' }] }],
      'input[0].content[1].text',
    ],
    [
      'an output_text part with a number text',
      [{ role: 'assistant', content: [{ type: 'output_text', text: 1 }] }],
      'input[0].content[0].text',
    ],
    ['a function_call without call_id', [{ type: 'function_call', name: 'f' }], 'input[0].call_id'],
    ['a function_call without name', [{ type: 'function_call', call_id: 'c' }], 'input[0].name'],
    ['a bare function_call', [{ type: 'function_call' }], 'input[0].call_id'],
    [
      'a function_call with an empty name',
      [{ type: 'function_call', call_id: 'c', name: '' }],
      'input[0].name',
    ],
    [
      'function_call arguments as an object',
      [{ type: 'function_call', call_id: 'c', name: 'f', arguments: { city: 'Paris' } }],
      'input[0].arguments',
    ],
    [
      'a function_call_output without output',
      [
        { role: 'user', content: 'x' },
        { type: 'function_call_output', call_id: 'c' },
      ],
      'input[1].output',
    ],
    [
      'a function_call_output with a null output',
      [{ type: 'function_call_output', call_id: 'c', output: null }],
      'input[0].output',
    ],
    [
      'a function_call_output without call_id',
      [{ type: 'function_call_output', output: 'x' }],
      'input[0].call_id',
    ],
  ])('refuses %s with a 400 at %s', (_name, items, param) => {
    const error = refusal(items);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe(param);
  });

  it('says what was expected and what came', () => {
    expect(refusal([{ role: 'user', content: 5 }]).message).toBe(
      'input[0].content must be a string or an array of content parts, such as [{"type": "input_text", "text": "..."}]; got a number',
    );
    expect(refusal([null]).message).toBe(
      'input[0] must be an input item object, such as {"role": "user", "content": "..."}; got null',
    );
    expect(refusal([{ type: 'function_call', call_id: 'c' }]).message).toBe(
      'input[0].name is required on a function_call item, as a non-empty string: the name of the function the model called',
    );
    expect(refusal([{ type: 'function_call_output', call_id: 'c' }]).message).toBe(
      "input[0].output is required on a function_call_output item: the function's result, as a string",
    );
  });
});
