/** The ISO 8601 text of the last second formatted, up to and with its `.`. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, about 0.05 µs instead of 0.8-1.1: the text up to the seconds is
 * made once per second and the milliseconds appended. Every logged call's record carries one.
 * Whole milliseconds only (what Date.now() gives); anything else goes through Date as before.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
