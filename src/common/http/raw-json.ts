import { quote } from '../json-quote';

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

/**
 * Changes the text kept for a parsed value in step with a change made to the value: `rewrite`
 * gets the text and returns the new one, or undefined when it cannot say it exactly (then the
 * text is forgotten and the value is stringified instead). A no-op for values with no text.
 */
export function rewriteKeptText(
  value: object,
  rewrite: (text: string) => string | undefined,
): void {
  const text = texts.get(value);
  if (text === undefined) return;
  const next = rewrite(text);
  if (next === undefined) texts.delete(value);
  else texts.set(value, next);
}

/**
 * Gives `copy`, made from the parsed `value`, a kept text of its own: `value`'s text as `rewrite`
 * changes it to say the copy, or none (undefined) when it cannot. A no-op for values with no text.
 */
export function copyKeepingText(
  value: object,
  copy: object,
  rewrite: (text: string) => string | undefined,
): void {
  const text = texts.get(value);
  if (text === undefined) return;
  const next = rewrite(text);
  if (next !== undefined) texts.set(copy, next);
}

/**
 * Replaces the first `"key":<from>` in the head of a JSON text (where Groq writes its top-level
 * fields: id, object, created, model come first). A JSON string cannot hold an unescaped `":`, so a
 * match is always a key, never text inside a value. Undefined when it is not there.
 */
export function replaceKeyValue(
  text: string,
  key: string,
  from: unknown,
  to: unknown,
  within = text.length,
): string | undefined {
  const needle = `"${key}":${jsonValue(from)}`;
  const at = text.indexOf(needle);
  if (at === -1 || at > within) return undefined;
  return `${text.slice(0, at)}"${key}":${jsonValue(to)}${text.slice(at + needle.length)}`;
}

/** JSON.stringify of a value; a string (the usual value here: a model, a tier) quoted quickly. */
function jsonValue(value: unknown): string {
  return typeof value === 'string' ? quote(value) : JSON.stringify(value);
}

/**
 * JSON held as its text and never parsed (an upstream stream chunk forwarded as it came): jsonText
 * gives the text; JSON.stringify, for a reader that did not expect it, the same JSON.
 */
export class JsonText {
  constructor(public text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** The text a value was parsed from (or held as, JsonText), or JSON.stringify of it. */
export function jsonText(value: unknown): string {
  if (value instanceof JsonText) return value.text;
  return (typeof value === 'object' && value !== null && texts.get(value)) || JSON.stringify(value);
}
