import { GatewayError } from '../common/errors/gateway-error';
import type { ChatCompletion, ChatUsage, FinishReason } from '../providers/chat-types';
import type {
  AnthropicMessage,
  AnthropicResponseBlock,
  AnthropicStopReason,
} from './anthropic-types';
import { applyStopSequences } from './stop-sequences';

export function anthropicMessageIdFor(chatId: string): string {
  return `msg_${chatId.replace(/^chatcmpl-/, '').replace(/-/g, '')}`;
}

export function toStopReason(finish: FinishReason): AnthropicStopReason | null {
  if (finish === 'length') return 'max_tokens';
  if (finish === 'tool_calls') return 'tool_use';
  if (finish === null) return null;
  return 'end_turn';
}

/** Tool arguments are a JSON string in chat and an object in Anthropic's `tool_use.input`. */
export function toolInputOf(args: string | undefined): unknown {
  if (!args) return {};
  try {
    return JSON.parse(args);
  } catch {
    throw new GatewayError({
      status: 502,
      message: 'The groq upstream returned tool arguments that are not valid JSON.',
      type: 'api_error',
      code: 'invalid_tool_arguments',
    });
  }
}

/** A chat completion as an Anthropic message. Pure. `model` is the name the client sent. */
export function chatToAnthropicMessage(
  completion: ChatCompletion,
  model: string,
  stopSequences: readonly string[],
): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicResponseBlock[] = [];
  // Groq's reasoning as a thinking block; Groq signs nothing, so the signature is empty.
  const reasoning = choice?.message.reasoning;
  if (typeof reasoning === 'string' && reasoning)
    content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  const stopped = applyStopSequences(choice?.message.content ?? '', stopSequences);
  if (stopped.text) content.push({ type: 'text', text: stopped.text });
  if (stopped.matched === null) {
    for (const call of choice?.message.tool_calls ?? []) {
      content.push({
        type: 'tool_use',
        id: call.id ?? '',
        name: call.function?.name ?? '',
        input: toolInputOf(call.function?.arguments),
      });
    }
  }
  return {
    id: anthropicMessageIdFor(completion.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason:
      stopped.matched !== null ? 'stop_sequence' : toStopReason(choice?.finish_reason ?? null),
    stop_sequence: stopped.matched,
    usage: anthropicUsage(completion.usage),
  };
}

/**
 * Anthropic's usage: `input_tokens` excludes what was read from the cache, which is
 * `cache_read_input_tokens` (Groq's `prompt_tokens_details.cached_tokens`).
 */
export function anthropicUsage(usage: ChatUsage | undefined): AnthropicMessage['usage'] {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const prompt = usage?.prompt_tokens ?? 0;
  return {
    input_tokens: prompt - cached,
    output_tokens: usage?.completion_tokens ?? 0,
    ...(cached > 0 && { cache_read_input_tokens: cached }),
  };
}
