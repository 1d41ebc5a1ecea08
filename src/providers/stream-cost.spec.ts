import { jsonText, parseKeepingText } from '../common/http/raw-json';
import { appendToLastObjectMember, withStreamCost } from './stream-cost';

describe('appendToLastObjectMember', () => {
  const append = (text: string) =>
    appendToLastObjectMember(text, JSON.parse(text) as Record<string, unknown>, 'usage', '"c":3');

  it('adds the member last in the object the last key holds', () => {
    expect(append('{"a":1,"usage":{"b":2}}')).toBe('{"a":1,"usage":{"b":2,"c":3}}');
    expect(append('{"x_groq":{"usage":{"b":2}},"usage":{}}')).toBe(
      '{"x_groq":{"usage":{"b":2}},"usage":{"c":3}}',
    );
    expect(append('{ "usage" : { "b" : {"d":[1,{}]} } }\n')).toBe(
      '{ "usage" : { "b" : {"d":[1,{}]} ,"c":3} }\n',
    );
    // A repeated key is parsed as its last value, which is also the text's last member.
    expect(append('{"usage":{"a":1},"usage":{"b":2}}')).toBe(
      '{"usage":{"a":1},"usage":{"b":2,"c":3}}',
    );
  });

  it('is undefined unless the key is the last member and holds an object', () => {
    expect(append('{"usage":{"b":2},"a":1}')).toBeUndefined();
    expect(append('{"x":{"usage":{}}}')).toBeUndefined();
    expect(append('{"usage":null}')).toBeUndefined();
    expect(append('{"usage":[1]}')).toBeUndefined();
    expect(append('{"usage":{},"a":1,"usage":{}}')).toBeUndefined();
    // An array-index key is listed first whatever its place in the text.
    expect(append('{"usage":{"b":2},"1":{}}')).toBeUndefined();
  });
});

describe('withStreamCost', () => {
  const finish =
    '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"x_groq":{"id":"r","usage":{"prompt_tokens":6,"completion_tokens":10,"total_tokens":16}},"usage":{"prompt_tokens":6,"completion_tokens":10,"total_tokens":16}}';

  it('puts the cost in a copy, sent as the upstream text with the cost spliced in', () => {
    const chunk = parseKeepingText<{ usage: object }>(finish);
    const costed = withStreamCost(chunk, 0.0000360000000001);
    expect(costed).not.toBe(chunk);
    expect(costed.usage).toEqual({
      prompt_tokens: 6,
      completion_tokens: 10,
      total_tokens: 16,
      cost_usd: 0.000036,
    });
    expect(chunk.usage).not.toHaveProperty('cost_usd');
    // What stringifying the copy would give: the same bytes.
    expect(jsonText(costed)).toBe(JSON.stringify(costed));
    expect(jsonText(costed)).toContain('"total_tokens":16,"cost_usd":0.000036}}');
    expect(jsonText(chunk)).toBe(finish);
  });

  it('stringifies a copy whose usage had a cost already, and leaves a chunk with no cost', () => {
    const chunk = parseKeepingText<object>('{"usage":{"cost_usd":1,"total_tokens":2}}');
    const costed = withStreamCost(chunk, 2);
    expect(jsonText(costed)).toBe('{"usage":{"cost_usd":2,"total_tokens":2}}');
    expect(withStreamCost(chunk, undefined)).toBe(chunk);
  });

  it('costs a native Responses event in its response usage', () => {
    const event = { type: 'response.completed', response: { usage: { total_tokens: 2 } } };
    expect(withStreamCost(event, 1)).toEqual({
      type: 'response.completed',
      response: { usage: { total_tokens: 2, cost_usd: 1 } },
    });
  });
});
