import { quote } from './json-quote';

describe('quote', () => {
  it('writes a string exactly as JSON.stringify does', () => {
    for (const text of [
      '',
      'groq/llama-3.3-70b-versatile',
      'a"b',
      'back\\slash',
      'line\nbreak\t',
      '\u0000\u001f\u007f',
      'ché ✓',
      'emoji 😀',
      'lone \ud800 surrogate',
      'lone \udfff end',
    ])
      expect(quote(text)).toBe(JSON.stringify(text));
  });
});
