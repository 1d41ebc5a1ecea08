import { ForwardedChunk } from '../providers/upstream/forwarded-chunk';

/**
 * Characters of generated text (answer, reasoning, tool-call arguments) in one value a stream
 * frames, in any of the families' shapes: a chat chunk (parsed, or forwarded as its text), a
 * Responses event (`delta` a string), an Anthropic event (`delta.text`, `partial_json`,
 * `thinking`). Property reads only, nothing built: it runs on every frame of every stream, so a
 * stream the client leaves is charged for what it was sent (docs/budgets.md).
 */
export function streamedTextLength(value: unknown): number {
  if (value instanceof ForwardedChunk) return value.textLength();
  const event = value as StreamedValue;
  const delta = event.delta;
  if (typeof delta === 'string') return delta.length;
  if (typeof delta === 'object' && delta !== null)
    return lengthOf(delta.text) + lengthOf(delta.partial_json) + lengthOf(delta.thinking);
  const choices = event.choices;
  if (!Array.isArray(choices)) return 0;
  let length = 0;
  for (const choice of choices) {
    const chunk = choice?.delta;
    if (!chunk) continue;
    length += lengthOf(chunk.content) + lengthOf(chunk.reasoning);
    const calls = chunk.tool_calls;
    if (Array.isArray(calls))
      for (const call of calls) length += lengthOf(call?.function?.arguments);
  }
  return length;
}

/** What the shapes above may hold, all optional: values are read, never trusted. */
interface StreamedValue {
  delta?: string | { text?: unknown; partial_json?: unknown; thinking?: unknown } | null;
  choices?: Array<{
    delta?: {
      content?: unknown;
      reasoning?: unknown;
      tool_calls?: Array<{ function?: { arguments?: unknown } } | null>;
    } | null;
  } | null>;
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}
