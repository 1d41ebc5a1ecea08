import { parseGoDuration, parseRetryAfter } from './go-duration';

describe('parseGoDuration', () => {
  it.each([
    ['370ms', 370],
    ['2.085s', 2085],
    ['1m26.4s', 86_400],
    ['1h2m', 3_720_000],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['20ns', 0.00002],
    ['2m59.56s', 179_560],
    [' 7.66s ', 7660],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms);
  });

  it.each([
    [''],
    ['soon'],
    ['12'],
    ['1.5.s'],
    ['.5s'],
    ['5.s'],
    ['1m2'],
    ['s'],
    ['1x'],
    ['-1s'],
    [undefined],
  ])('%s is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds', () => expect(parseRetryAfter('7')).toBe(7000));
  it('reads an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5000);
  });
  it('ignores nonsense', () => expect(parseRetryAfter('later')).toBeUndefined());
});
