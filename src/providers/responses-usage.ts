import type { ChatUsage } from './chat-types';

/** Usage in the Responses API's words (OpenAI's, which Groq's own endpoint answers in). */
export interface ResponsesApiUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

/**
 * The usage a native Responses answer reports, in chat's words so that one accounting serves
 * both (tokens, cost, budgets): a response object's `usage`, or a streamed event's
 * `response.usage` (only the final event has one). Undefined for anything else. Pure.
 */
export function responsesUsageOf(value: unknown): ChatUsage | undefined {
  const carrier = value as {
    object?: unknown;
    type?: unknown;
    usage?: unknown;
    response?: { usage?: unknown } | null;
  } | null;
  if (!carrier || typeof carrier !== 'object') return undefined;
  const usage =
    carrier.object === 'response'
      ? carrier.usage
      : typeof carrier.type === 'string' && carrier.type.startsWith('response.')
        ? carrier.response?.usage
        : undefined;
  return chatUsageOf(usage as ResponsesApiUsage | null | undefined);
}

/** Responses usage as chat usage: input is the prompt, output (reasoning included) the completion. */
export function chatUsageOf(usage: ResponsesApiUsage | null | undefined): ChatUsage | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  const prompt = usage.input_tokens;
  const completion = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0;
  const chat: ChatUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion,
  };
  const cached = usage.input_tokens_details?.cached_tokens;
  if (typeof cached === 'number') chat.prompt_tokens_details = { cached_tokens: cached };
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number')
    chat.completion_tokens_details = { reasoning_tokens: reasoning };
  return chat;
}
