/**
 * Upstream JSON the gateway forwards unchanged is sent as the text it came in, not parsed and
 * stringified again: the parsed object (read for usage, headers, metrics) remembers its text.
 * Anything the gateway converts is a new object, which has no text and is stringified as usual.
 * So objects parsed here must be treated as read-only; change a copy.
 */
const texts = new WeakMap<object, string>();

export function parseKeepingText<T>(text: string): T {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null) texts.set(value, text);
  return value as T;
}

/** The text a value was parsed from, or JSON.stringify of it. */
export function jsonText(value: unknown): string {
  return (typeof value === 'object' && value !== null && texts.get(value)) || JSON.stringify(value);
}
