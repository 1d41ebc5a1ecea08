import { jsonText } from '../../common/http/raw-json';
import { ForwardedChunk } from './forwarded-chunk';

const content =
  '{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"llama-3.1-8b-instant","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":"say \\"model\\":\\"x\\""},"logprobs":null,"finish_reason":null}]}';

describe('ForwardedChunk', () => {
  it('reads the model from the head and is framed as the text it came in', () => {
    const chunk = ForwardedChunk.of(content);
    expect(chunk?.model).toBe('llama-3.1-8b-instant');
    expect(jsonText(chunk)).toBe(content);
  });

  it('renames the model in the text only, as JSON.stringify of the parsed chunk would say it', () => {
    const chunk = ForwardedChunk.of(content) as ForwardedChunk;
    chunk.renameModel('groq/llama-3.1-8b-instant');
    const expected = { ...JSON.parse(content), model: 'groq/llama-3.1-8b-instant' };
    expect(JSON.parse(jsonText(chunk))).toEqual(expected);
    expect(chunk.model).toBe('groq/llama-3.1-8b-instant');
    // Renamed twice, it still replaces exactly the value.
    chunk.renameModel('m');
    expect(JSON.parse(jsonText(chunk))).toEqual({ ...expected, model: 'm' });
    // Anything that stringifies it gets the same JSON.
    expect(JSON.parse(JSON.stringify(chunk))).toEqual({ ...expected, model: 'm' });
    // A name that JSON escapes, then another: each replaces the value as written, escapes and all.
    chunk.renameModel('route "a\\b"');
    expect(JSON.parse(jsonText(chunk))).toEqual({ ...expected, model: 'route "a\\b"' });
    chunk.renameModel('n');
    expect(JSON.parse(jsonText(chunk))).toEqual({ ...expected, model: 'n' });
  });

  it('leaves to parsing a chunk with usage, a service tier, or no plain model in its head', () => {
    const finish =
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"x_groq":{"id":"r","usage":{"prompt_tokens":1}}}';
    expect(ForwardedChunk.of(finish)).toBeUndefined();
    expect(
      ForwardedChunk.of('{"id":"c","model":"m","service_tier":"on_demand","choices":[]}'),
    ).toBeUndefined();
    expect(ForwardedChunk.of('{"id":"c","choices":[]}')).toBeUndefined();
    expect(ForwardedChunk.of('{"id":"c","model":"a\\"b","choices":[]}')).toBeUndefined();
    expect(
      ForwardedChunk.of(`{"id":"${'x'.repeat(600)}","model":"m","choices":[]}`),
    ).toBeUndefined();
  });

  it('counts the generated text it carries, escapes as written, without parsing', () => {
    // `say \"model\":\"x\"` as written: 19 characters.
    expect(ForwardedChunk.of(content)?.textLength()).toBe(19);
    const chunk = (delta: string) =>
      ForwardedChunk.of(
        `{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${delta},"finish_reason":null}],"x_groq":{"id":"req_1"}}`,
      ) as ForwardedChunk;
    expect(chunk('{"role":"assistant","content":""}').textLength()).toBe(0);
    expect(chunk('{"reasoning":"Let me think"}').textLength()).toBe(12);
    expect(
      chunk(
        '{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\\"a\\":1}"}}]}',
      ).textLength(),
    ).toBe(9);
    expect(chunk('{}').textLength()).toBe(0);
    expect(chunk('{"content":"ab","reasoning":"cde"}').textLength()).toBe(5);
    // The same layout again, where the last delta was found; then one where it is not.
    expect(chunk('{"content":"word "}').textLength()).toBe(5);
    expect(chunk('{"content":"word "}').textLength()).toBe(5);
    const moved = ForwardedChunk.of(
      '{"id":"longer-id","model":"m","choices":[{"index":0,"delta":{"content":"xyz"}}]}',
    ) as ForwardedChunk;
    expect(moved.textLength()).toBe(3);
  });
});
