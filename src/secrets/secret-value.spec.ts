import { fieldOf, jsonFieldOf } from './secret-value';

describe('secret values', () => {
  it('takes the named field, or the only one', () => {
    expect(fieldOf({ a: 'x', b: 'y' }, 'b')).toBe('y');
    expect(fieldOf({ only: 'x' }, undefined)).toBe('x');
  });

  it('names fields, never values, when it cannot choose', () => {
    expect(() => fieldOf({ a: 'secret-1', b: 'secret-2' }, undefined)).toThrow(
      "the secret has 2 fields (a, b); name one after '#'",
    );
    expect(() => fieldOf({ a: 'secret-1' }, 'c')).toThrow(
      "the secret has no field 'c' (it has: a)",
    );
  });

  it('reads a list of keys stored as an array as JSON, and refuses empty values', () => {
    expect(fieldOf({ keys: ['k1', 'k2'] }, 'keys')).toBe('["k1","k2"]');
    expect(() => fieldOf({ a: '  ' }, 'a')).toThrow('the secret is empty');
  });

  it('reads a JSON field without quoting the text when it is not JSON', () => {
    expect(jsonFieldOf('{"api_key":"gsk_1"}', 'api_key')).toBe('gsk_1');
    expect(() => jsonFieldOf('gsk_plain_text', 'api_key')).toThrow(
      "the secret is not a JSON object, so it has no field 'api_key'",
    );
  });
});
