import type { AnthropicMessagesRequest } from './anthropic-types';

/**
 * Groq has no token-counting endpoint, so count_tokens answers an estimate: about four
 * characters of text (and of tool schemas) per token, as OpenAI's and Anthropic's guides put it.
 */
export function estimateInputTokens(
  request: Pick<AnthropicMessagesRequest, 'system' | 'messages' | 'tools'>,
): number {
  const text = JSON.stringify([request.system ?? '', request.messages ?? [], request.tools ?? []]);
  return Math.max(1, Math.ceil(text.length / 4));
}
