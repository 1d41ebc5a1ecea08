import { findStructuralProblem, mayHoldPrototypeKey, parseJsonBody } from './json-body';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

const parse = (text: string | Buffer) =>
  parseJsonBody(typeof text === 'string' ? Buffer.from(text) : text);

describe('parseJsonBody', () => {
  it('parses a chat body', () => {
    expect(parse('{"model":"m","messages":[{"role":"user","content":"héllo"}]}')).toEqual({
      ok: true,
      value: { model: 'm', messages: [{ role: 'user', content: 'héllo' }] },
    });
  });

  it('refuses an empty body', () => {
    expect(parse('')).toEqual({ ok: false, problem: 'The request body is empty.' });
  });

  it('refuses invalid UTF-8 rather than decoding it to replacement characters', () => {
    const body = Buffer.concat([
      Buffer.from('{"a":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    expect(parse(body)).toEqual({ ok: false, problem: 'The request body is not valid UTF-8.' });
  });

  it('drops a leading byte order mark, as a UTF-8 decoder does', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    expect(parse(body)).toEqual({ ok: true, value: { a: 1 } });
  });

  it('says where JSON breaks', () => {
    const result = parse('{"a":');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/^The request body is not valid JSON: .+\.$/);
  });

  it('refuses __proto__ keys at any depth', () => {
    const result = parse('{"messages":[{"__proto__":{"admin":true}}]}');
    expect(!result.ok && result.problem).toMatch(/__proto__/);
  });

  it('refuses constructor.prototype but accepts a property named constructor', () => {
    expect(parse('{"a":{"constructor":{"prototype":{"x":1}}}}').ok).toBe(false);
    // A JSON schema may well describe a field called "constructor".
    expect(parse('{"properties":{"constructor":{"type":"string"}}}').ok).toBe(true);
  });
});

describe('parseJsonBody after a depth scan', () => {
  const scanned = (text: string) => parseJsonBody(Buffer.from(text), 64, true);

  it('takes a body that names no prototype key without walking it', () => {
    expect(scanned('{"model":"m","messages":[{"role":"user","content":"hi"}]}')).toEqual({
      ok: true,
      value: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    });
  });

  it('still refuses __proto__ and constructor.prototype, also spelled with \\u escapes', () => {
    expect(scanned('{"a":[{"__proto__":{"x":1}}]}').ok).toBe(false);
    expect(scanned('{"a":{"constructor":{"prototype":{}}}}').ok).toBe(false);
    expect(scanned('{"\\u005f_proto__":{"x":1}}')).toEqual({
      ok: false,
      problem: 'The request body has a "__proto__" key, which the gateway refuses. Remove it.',
    });
    expect(scanned('{"a":{"\\u0063onstructor":{"prototype":{}}}}').ok).toBe(false);
  });

  it('tells which texts could hold such a key', () => {
    expect(mayHoldPrototypeKey('{"content":"hello"}')).toBe(false);
    expect(mayHoldPrototypeKey('{"content":"caf\\u00e9"}')).toBe(true);
    expect(mayHoldPrototypeKey('{"constructor":1}')).toBe(true);
  });
});

describe('findStructuralProblem', () => {
  it('accepts exactly the depth limit and refuses one more', () => {
    expect(findStructuralProblem(nested(64), 64)).toBeUndefined();
    expect(findStructuralProblem(nested(65), 64)).toMatch(/deeper than 64 levels/);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(findStructuralProblem(nested(100_000))).toMatch(/deeper/);
  });

  it('has nothing to say about scalars', () => {
    expect(findStructuralProblem('text')).toBeUndefined();
    expect(findStructuralProblem(null)).toBeUndefined();
  });
});
