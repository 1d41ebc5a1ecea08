import { GatewayError } from '../../common/errors/gateway-error';
import { parseKeepingText } from '../../common/http/raw-json';
import type { ChatCompletion, ChatCompletionChunk, NativeResponsesValue } from '../chat-types';

/**
 * Groq's 200 answers, parsed and checked for the shape the gateway reads before anything reads
 * them: a chat completion (or chunk) is an object whose `choices` are objects, each with its
 * `message` (or `delta`) an object; a Responses value is an object. Anything else (`null`, an
 * HTML page, a truncated body, `{}`) is Groq's fault, said as such: a 502 `upstream_error`, not a
 * crash in the code that reads it, nor "could not be reached".
 */
export function chatCompletionFrom(text: string): ChatCompletion {
  const value = parsed(text, 'a body');
  if (!hasChoices(value, 'message')) throw invalidAnswer('a body that is not a chat completion');
  return value as ChatCompletion;
}

export function chatChunkFrom(text: string): ChatCompletionChunk {
  const value = parsed(text, 'a stream event');
  if (!hasChoices(value, 'delta')) {
    throw invalidAnswer('a stream event that is not a chat completion chunk');
  }
  return value as ChatCompletionChunk;
}

export function responsesValueFrom(
  text: string,
  what: 'a body' | 'a stream event',
): NativeResponsesValue {
  // Plain JSON.parse: these values are changed in place downstream, with no kept text to follow.
  const value = parsed(text, what, JSON.parse);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidAnswer(`${what} that is not a Responses object`);
  }
  return value as NativeResponsesValue;
}

/** Chat answers keep their text (raw-json.ts): forwarded as they came unless changed. */
function parsed(
  text: string,
  what: string,
  parse: (text: string) => unknown = parseKeepingText,
): unknown {
  try {
    return parse(text);
  } catch {
    throw invalidAnswer(`${what} that is not JSON${text.trim() ? '' : ' (it was empty)'}`);
  }
}

function hasChoices(value: unknown, field: 'message' | 'delta'): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const choices = (value as { choices?: unknown }).choices;
  if (!Array.isArray(choices)) return false;
  for (const choice of choices as unknown[]) {
    if (typeof choice !== 'object' || choice === null) return false;
    const inner = (choice as Record<string, unknown>)[field];
    if (typeof inner !== 'object' || inner === null) return false;
  }
  return true;
}

export function invalidAnswer(what: string): GatewayError {
  return new GatewayError({
    status: 502,
    message: `The groq upstream answered 200 with ${what}. The gateway cannot use it; try again, and if it persists check the provider's status.`,
    type: 'api_error',
    code: 'upstream_error',
  });
}
