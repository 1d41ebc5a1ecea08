const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Groq's `x-ratelimit-reset-*` headers are Go durations: `370ms`, `2.085s`, `1m26.4s`.
 * Returns milliseconds, or undefined for anything else.
 */
export function parseGoDuration(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(amount) * UNIT_MS[unit];
  }
  return total;
}

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
