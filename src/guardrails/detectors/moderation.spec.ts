import { judgeJson } from './json-schema';
import { llamaGuardMessages, parseLlamaGuard, parseSafeguard, violates } from './moderation';

describe('moderation answers', () => {
  it("parses Llama Guard's safe and unsafe answers", () => {
    expect(parseLlamaGuard('safe')).toEqual({ unsafe: false, categories: [] });
    expect(parseLlamaGuard('\nunsafe\nS1,S10')).toEqual({
      unsafe: true,
      categories: ['S1', 'S10'],
    });
    expect(() => parseLlamaGuard('I cannot help with that')).toThrow();
  });

  it('counts only the categories a policy lists, or any when it lists none', () => {
    const verdict = parseLlamaGuard('unsafe\nS2');
    expect(violates(verdict, ['S1', 'S9'])).toEqual([]);
    expect(violates(verdict, ['S2'])).toEqual(['S2']);
    expect(violates(verdict, [])).toEqual(['S2']);
  });

  it("parses gpt-oss-safeguard's JSON and bare answers", () => {
    expect(parseSafeguard('{"violation": 1, "category": "malware"}')).toEqual({
      unsafe: true,
      categories: ['malware'],
    });
    expect(parseSafeguard('{"violation":0}')).toEqual({ unsafe: false, categories: [] });
    expect(parseSafeguard('VIOLATION')).toEqual({ unsafe: true, categories: ['policy'] });
    expect(() => parseSafeguard('maybe')).toThrow();
  });

  it('sends the prompt alone on input, and the prompt with the answer on output', () => {
    expect(llamaGuardMessages('input', 'q')).toEqual([{ role: 'user', content: 'q' }]);
    expect(llamaGuardMessages('output', 'a', 'q').map((m) => m.role)).toEqual([
      'user',
      'assistant',
    ]);
  });
});

describe('judgeJson', () => {
  it('wants JSON, and the schema when there is one', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    expect(judgeJson('{"n": 1}', schema)).toEqual({ valid: true });
    expect(judgeJson('{"n": "x"}', schema)).toMatchObject({
      valid: false,
      category: 'schema_mismatch',
    });
    expect(judgeJson('not json', undefined)).toMatchObject({
      valid: false,
      category: 'invalid_json',
    });
    expect(judgeJson('[1]', undefined)).toEqual({ valid: true });
  });
});
