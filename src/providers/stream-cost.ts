import { copyKeepingText } from '../common/http/raw-json';
import type { ChatUsage, NativeResponsesValue } from './chat-types';

/**
 * A stream chunk that carries top-level `usage` (the finish chunk, OpenAI's usage chunk) gets the
 * call's cost in it as `usage.cost_usd`: a copy, since upstream chunks are read-only (raw-json).
 * A chunk still sent as its upstream text keeps it, the cost spliced in (parsing was done for
 * usage; stringifying the whole chunk again was most of what adding the cost cost).
 */
export function withStreamCost<T>(value: T, costUsd: number | undefined): T {
  const chunk = value as { usage?: ChatUsage | null; response?: NativeResponsesValue['response'] };
  if (costUsd === undefined) return value;
  const cost_usd = Number(costUsd.toFixed(12));
  const usage = chunk.usage;
  if (usage) {
    const copy = { ...value, usage: { ...usage, cost_usd } };
    // An existing cost_usd keeps its place in a copy's keys: only an added one is spliced.
    if (!Object.hasOwn(usage, 'cost_usd'))
      copyKeepingText(value as object, copy, (text) =>
        appendToLastObjectMember(
          text,
          value as Record<string, unknown>,
          'usage',
          `"cost_usd":${JSON.stringify(cost_usd)}`,
        ),
      );
    return copy;
  }
  // A native Responses stream: its final event's response carries the usage.
  const response = chunk.response;
  if (response?.usage)
    return { ...value, response: { ...response, usage: { ...response.usage, cost_usd } } };
  return value;
}

const CLOSE_BRACE = 0x7d;

/**
 * `text` (the JSON object `value` was parsed from) with `member` (`"name":value`) added last to
 * the object held by `key`, when that is the text's last member (where Groq writes a chunk's
 * usage); undefined otherwise. Only the text's end is read: the parsed value's keys are in the
 * text's order (none is an array index, which would come first), so its last key is the text's.
 */
export function appendToLastObjectMember(
  text: string,
  value: Readonly<Record<string, unknown>>,
  key: string,
  member: string,
): string | undefined {
  let last: string | undefined;
  for (const name in value) {
    const first = name.charCodeAt(0);
    if (first >= 0x30 && first <= 0x39) return undefined;
    last = name;
  }
  const held = value[key];
  if (last !== key || typeof held !== 'object' || held === null || Array.isArray(held))
    return undefined;
  // The top-level object's closing brace, then the held object's.
  const end = lastBefore(text, lastBefore(text, text.length));
  if (end < 0 || text.charCodeAt(end) !== CLOSE_BRACE) return undefined;
  const empty = Object.keys(held).length === 0;
  return `${text.slice(0, end)}${empty ? '' : ','}${member}${text.slice(end)}`;
}

/** The position of the last character before `from` that is not JSON whitespace (-1: none). */
function lastBefore(text: string, from: number): number {
  let i = from - 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i--;
  }
}
