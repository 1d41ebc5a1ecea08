/** The ISO 8601 text of the last second formatted, up to and with its `.`. */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/** From here on `toISOString` writes a six-digit signed year (`+010000-...`), another layout. */
const YEAR_10000_MS = 253_402_300_800_000;

/**
 * `new Date(ms).toISOString()` with the text up to the seconds made once per second and the
 * milliseconds appended: every logged call's record carries one, and Date's own formatting was
 * a measurable part of building the record. Whole milliseconds of years 1970-9999 only (what
 * Date.now() gives); anything else goes through Date.
 */
export function isoTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000_MS) return new Date(ms).toISOString();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
