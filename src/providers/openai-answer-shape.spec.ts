import { jsonText, parseKeepingText } from '../common/http/raw-json';
import { insertAfterEach, toSurfaceShape } from './openai-answer-shape';

describe('insertAfterEach', () => {
  it('inserts after each occurrence when there are exactly as many as expected', () => {
    expect(insertAfterEach('a{x}b{y}', '{', '!', 2)).toBe('a{!x}b{!y}');
    expect(insertAfterEach('{}', '{', '!', 1)).toBe('{!}');
  });

  it('is undefined for more or fewer occurrences', () => {
    expect(insertAfterEach('a{x}b{y}', '{', '!', 1)).toBeUndefined();
    expect(insertAfterEach('a{x}', '{', '!', 2)).toBeUndefined();
    expect(insertAfterEach('ax', '{', '!', 1)).toBeUndefined();
  });
});

describe('toSurfaceShape', () => {
  const answer = (choices: string) =>
    `{"id":"c","object":"chat.completion","created":1,"model":"llama-3.1-8b-instant","choices":[${choices}],"service_tier":"on_demand"}`;

  it("gives every message refusal: null in its kept text, the public model and OpenAI's tier", () => {
    const text = answer(
      '{"index":0,"message":{"role":"assistant","content":"hi"}},{"index":1,"message":{"role":"assistant","content":"yo"}}',
    );
    const value = parseKeepingText<Record<string, unknown>>(text);
    toSurfaceShape(value, 'openai');
    const sent = jsonText(value);
    expect(sent).not.toBe(JSON.stringify(value)); // still the kept text, rewritten
    expect(JSON.parse(sent)).toEqual(value);
    expect(value).toMatchObject({
      model: 'groq/llama-3.1-8b-instant',
      service_tier: 'default',
      choices: [
        { message: { refusal: null, content: 'hi' } },
        { message: { refusal: null, content: 'yo' } },
      ],
    });
  });

  it('stringifies anew when a message lacks content (the text cannot say it by one insert)', () => {
    const value = parseKeepingText<Record<string, unknown>>(
      answer('{"index":0,"message":{"role":"assistant","tool_calls":[]}}'),
    );
    toSurfaceShape(value, 'openai');
    expect(jsonText(value)).toBe(JSON.stringify(value));
    expect(value).toMatchObject({ choices: [{ message: { content: null, refusal: null } }] });
  });
});
