import { isoTime } from './iso-time';

describe('isoTime', () => {
  it('is exactly Date#toISOString for whole milliseconds, across second and year boundaries', () => {
    const starts = [
      0,
      Date.UTC(2026, 11, 1, 10, 59, 59, 990),
      Date.UTC(2026, 11, 31, 23, 59, 59, 995),
      Date.UTC(2028, 1, 29, 12, 0, 0, 0),
      Date.now(),
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 25; ms++)
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    // Out of order (the cached second changes back and forth).
    const mixed = [starts[2] + 7, starts[1] + 3, starts[2] + 8, starts[1] + 2_001];
    for (const ms of mixed) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('hands what is not a whole millisecond of the years 1970-9999 to Date', () => {
    for (const ms of [1.5, -1, Date.UTC(1969, 5, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 1]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
