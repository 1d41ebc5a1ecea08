/**
 * Groq's `x-ratelimit-reset-*` headers are Go durations: `370ms`, `2.085s`, `1m26.4s`.
 * Returns milliseconds, or undefined for anything else. Two of these arrive with every answer, so
 * this is one scan over the text rather than a validating regex and a matchAll.
 */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  let total = 0;
  let index = 0;
  while (index < text.length) {
    const numberStart = index;
    while (isDigit(text.charCodeAt(index))) index++;
    if (index === numberStart) return undefined;
    if (text[index] === '.') {
      index++;
      const fractionStart = index;
      while (isDigit(text.charCodeAt(index))) index++;
      if (index === fractionStart) return undefined;
    }
    const amount = Number(text.slice(numberStart, index));
    const unit = unitAt(text, index);
    if (!unit) return undefined;
    total += amount * unit.ms;
    index += unit.length;
  }
  return text.length > 0 ? total : undefined;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The unit starting at `index`: two-character units first, so `ms` is not read as `m`. */
function unitAt(text: string, index: number): { ms: number; length: number } | undefined {
  const two = text.slice(index, index + 2);
  if (two === 'ms') return MILLISECONDS;
  if (two === 'ns') return NANOSECONDS;
  if (two === 'us' || two === 'µs') return MICROSECONDS;
  const one = text[index];
  if (one === 's') return SECONDS;
  if (one === 'm') return MINUTES;
  if (one === 'h') return HOURS;
  return undefined;
}

const NANOSECONDS = { ms: 1e-6, length: 2 };
const MICROSECONDS = { ms: 1e-3, length: 2 };
const MILLISECONDS = { ms: 1, length: 2 };
const SECONDS = { ms: 1000, length: 1 };
const MINUTES = { ms: 60_000, length: 1 };
const HOURS = { ms: 3_600_000, length: 1 };

/** `retry-after` in seconds (or an HTTP date), as milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Milliseconds as a Go duration, the form Groq and OpenAI use in `x-ratelimit-reset-*`. */
export function formatGoDuration(ms: number): string {
  const safe = Math.max(0, ms);
  if (safe < 1000) return `${Math.round(safe)}ms`;
  const minutes = Math.floor(safe / 60_000);
  const seconds = Number(((safe % 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}
