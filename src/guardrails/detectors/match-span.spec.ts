import { streamHoldChars } from './match-span';

describe('how much text a pattern makes a stream hold back', () => {
  it('nothing beyond the window for matches that never hold whitespace: a cut at a space never splits them', () => {
    expect(streamHoldChars('\\b\\d{3}-\\d{2}-\\d{4}\\b')).toBe(0);
    expect(streamHoldChars('ACME-[A-Z0-9]+')).toBe(0);
    expect(streamHoldChars('\\S+@\\S+')).toBe(0);
  });

  it('the longest match for bounded patterns that can hold whitespace', () => {
    expect(streamHoldChars('top secret')).toBe(10);
    expect(streamHoldChars('\\d{3}\\s\\d{4}')).toBe(8);
    expect(streamHoldChars('(?:red|green) (?:apple|pear){1,3}')).toBe(5 + 1 + 15);
    expect(streamHoldChars('code[ -]?\\d{2,6}')).toBe(11);
    expect(streamHoldChars('[^a-z]{4}')).toBe(4);
  });

  it('Infinity for unbounded patterns that can hold whitespace', () => {
    expect(streamHoldChars('secret.*code')).toBe(Infinity);
    expect(streamHoldChars('(?:\\w+ )+end')).toBe(Infinity);
    expect(streamHoldChars('a[\\s\\S]+b')).toBe(Infinity);
  });
});
