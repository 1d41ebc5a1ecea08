import { jsonText, parseKeepingText } from './raw-json';

describe('raw JSON pass-through', () => {
  it('sends an unchanged upstream object as the text it came in, spacing and all', () => {
    const text = '{"id": "chatcmpl-1",  "choices": [], "x_groq": {"id": "req_1"}}';
    expect(jsonText(parseKeepingText(text))).toBe(text);
  });

  it('stringifies anything built from it', () => {
    const parsed = parseKeepingText<{ id: string }>('{"id": "a"}');
    expect(jsonText({ ...parsed, extra: 1 })).toBe('{"id":"a","extra":1}');
    expect(jsonText('text')).toBe('"text"');
    expect(jsonText(null)).toBe('null');
  });
});
