import type { ChatCompletion, ChatUsage } from '../providers/chat-types';
import type {
  ResponseObject,
  ResponsesFunctionCallItem,
  ResponsesMessageItem,
  ResponsesOutputItem,
  ResponsesReasoningItem,
  ResponsesRequest,
  ResponsesUsage,
} from './responses-types';

/**
 * Ids derive from the upstream chat id, so the streamed events and the final response name the
 * same items, and one upstream answer always gives one response.
 */
export function responseIdFor(chatId: string): string {
  return `resp_${chatId.replace(/^chatcmpl-/, '').replace(/-/g, '')}`;
}

export function messageItemIdFor(chatId: string): string {
  return `msg_${chatId.replace(/^chatcmpl-/, '').replace(/-/g, '')}`;
}

export function reasoningItemIdFor(chatId: string): string {
  return `rs_${chatId.replace(/^chatcmpl-/, '').replace(/-/g, '')}`;
}

export function functionCallItemIdFor(callId: string): string {
  return callId.startsWith('fc_') ? callId : `fc_${callId}`;
}

/** A chat completion as a Responses `response` object. Pure. */
export function chatToResponse(
  completion: ChatCompletion,
  request: ResponsesRequest,
): ResponseObject {
  const choice = completion.choices[0];
  const incomplete = choice?.finish_reason === 'length';
  const itemStatus = incomplete ? 'incomplete' : 'completed';
  const output: ResponsesOutputItem[] = [];
  const reasoning = choice?.message.reasoning;
  if (typeof reasoning === 'string' && reasoning.length > 0) {
    output.push(reasoningItem(completion.id, reasoning, itemStatus));
  }
  const content = choice?.message.content;
  if (typeof content === 'string' && content.length > 0) {
    output.push(messageItem(completion.id, content, itemStatus));
  }
  for (const call of choice?.message.tool_calls ?? []) {
    output.push(
      functionCallItem(
        call.id ?? '',
        call.function?.name ?? '',
        call.function?.arguments ?? '',
        itemStatus,
      ),
    );
  }
  return {
    ...responseShell(completion.id, completion.created, completion.model, request),
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    output,
    ...(completion.usage && { usage: toResponsesUsage(completion.usage) }),
  };
}

/** The parts of a response that echo the request; also the `in_progress` response of a stream. */
export function responseShell(
  chatId: string,
  created: number,
  model: string,
  request: ResponsesRequest,
): ResponseObject {
  return {
    id: responseIdFor(chatId),
    object: 'response',
    created_at: created,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    // Echoed in OpenAI's full shape: strict and parameters are required there (null when unsaid).
    tools: (request.tools ?? []).map((tool) => ({
      ...tool,
      parameters: tool.parameters ?? null,
      strict: tool.strict ?? null,
    })),
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    ...(typeof request.user === 'string' && { user: request.user }),
    metadata: request.metadata ?? {},
  };
}

export function reasoningItem(
  chatId: string,
  text: string,
  status: ResponsesReasoningItem['status'],
): ResponsesReasoningItem {
  return {
    type: 'reasoning',
    id: reasoningItemIdFor(chatId),
    status,
    summary: status === 'in_progress' ? [] : [{ type: 'summary_text', text }],
  };
}

export function messageItem(
  chatId: string,
  text: string,
  status: ResponsesMessageItem['status'],
): ResponsesMessageItem {
  return {
    type: 'message',
    id: messageItemIdFor(chatId),
    status,
    role: 'assistant',
    content:
      status === 'in_progress'
        ? []
        : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function functionCallItem(
  callId: string,
  name: string,
  args: string,
  status: ResponsesFunctionCallItem['status'],
): ResponsesFunctionCallItem {
  return {
    type: 'function_call',
    id: functionCallItemIdFor(callId),
    call_id: callId,
    name,
    arguments: args,
    status,
  };
}

export function toResponsesUsage(usage: ChatUsage): ResponsesUsage {
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: {
      cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      // Groq's prompt cache is automatic: nothing is ever billed as written to it.
      cache_write_tokens: 0,
    },
    output_tokens: usage.completion_tokens,
    output_tokens_details: {
      reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    total_tokens: usage.total_tokens,
  };
}
