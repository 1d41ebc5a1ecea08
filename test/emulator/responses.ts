import type { Answer } from './answers';
import { textOf } from './answers';

/**
 * Groq's own Responses API (`POST /openai/v1/responses`, beta) as the emulator serves it: the
 * request read into the chat shape the emulator answers from, and the answer written back as a
 * response object or as its event stream (groq-wire.md "OpenAI Responses API"). Pure functions.
 */

/** A chat message as the emulator's answers read them. */
export interface ConversationMessage {
  role: string;
  content?: string | null;
  tool_calls?: Array<{
    id: string;
    type: 'function';
    function: { name: string; arguments: string };
  }>;
  tool_call_id?: string;
}

/** The Responses request fields Groq's endpoint takes; any other top-level field is a 400. */
export const RESPONSES_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'max_output_tokens',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'text',
  'reasoning',
  'stream',
  'store',
  'previous_response_id',
  'metadata',
  'user',
  'parallel_tool_calls',
  'service_tier',
  'truncation',
  'include',
]);

interface ResponsesBody {
  model?: string;
  input?: unknown;
  instructions?: string | null;
  max_output_tokens?: number | null;
  tools?: Array<{ type?: string; name?: string; parameters?: unknown }>;
  tool_choice?: unknown;
  text?: { format?: { type?: string; schema?: unknown } } | null;
  reasoning?: { effort?: string | null } | null;
  [field: string]: unknown;
}

/**
 * `instructions` as a system message: they lead the conversation sent to the model, and (as on
 * OpenAI's API) are not carried over to a turn that continues it with previous_response_id.
 */
export function instructionMessages(body: ResponsesBody): ConversationMessage[] {
  return typeof body.instructions === 'string' && body.instructions
    ? [{ role: 'system', content: body.instructions }]
    : [];
}

/** The new turn of a Responses request (its `input`) as chat messages. */
export function inputMessages(body: ResponsesBody): ConversationMessage[] {
  const messages: ConversationMessage[] = [];
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
    return messages;
  }
  for (const raw of Array.isArray(body.input) ? body.input : []) {
    const item = raw as Record<string, unknown>;
    const type = (item.type as string | undefined) ?? 'message';
    if (type === 'message')
      messages.push({
        role: item.role === 'developer' ? 'system' : String(item.role),
        content: textOf(item.content),
      });
    else if (type === 'function_call')
      messages.push({
        role: 'assistant',
        tool_calls: [
          {
            id: String(item.call_id),
            type: 'function',
            function: { name: String(item.name), arguments: String(item.arguments ?? '') },
          },
        ],
      });
    else if (type === 'function_call_output')
      messages.push({
        role: 'tool',
        tool_call_id: String(item.call_id),
        content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output),
      });
  }
  return messages;
}

/** The chat body the emulator's answers are computed from: the whole conversation, tools, limits. */
export function chatBodyOf(
  body: ResponsesBody,
  messages: ConversationMessage[],
): Record<string, unknown> {
  const chat: Record<string, unknown> = { model: body.model, messages };
  const tools = (body.tools ?? []).map((tool) =>
    tool.type === 'function'
      ? { type: 'function', function: { name: tool.name, parameters: tool.parameters } }
      : tool,
  );
  if (tools.length) chat.tools = tools;
  if (body.tool_choice !== undefined) {
    const named = body.tool_choice as { type?: string; name?: string };
    chat.tool_choice =
      typeof body.tool_choice === 'string'
        ? body.tool_choice
        : { type: 'function', function: { name: named.name } };
  }
  const format = body.text?.format;
  if (format?.type === 'json_object') chat.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema')
    chat.response_format = { type: 'json_schema', json_schema: { schema: format.schema } };
  if (typeof body.max_output_tokens === 'number')
    chat.max_completion_tokens = body.max_output_tokens;
  return chat;
}

/** The assistant turn an answer adds to the conversation (kept for previous_response_id). */
export function answerMessage(answer: Answer): ConversationMessage {
  return answer.toolCalls
    ? { role: 'assistant', tool_calls: answer.toolCalls }
    : { role: 'assistant', content: answer.content ?? '' };
}

export interface ResponseIds {
  response: string;
  item: () => string;
}

/** The output items of an answer: reasoning (reasoning models), then the message or the calls. */
export function outputItems(answer: Answer, ids: ResponseIds): Array<Record<string, unknown>> {
  const items: Array<Record<string, unknown>> = [];
  if (answer.reasoning)
    items.push({
      type: 'reasoning',
      id: `rs_${ids.item()}`,
      status: 'completed',
      summary: [],
      content: [{ type: 'reasoning_text', text: answer.reasoning }],
    });
  if (answer.toolCalls) {
    for (const call of answer.toolCalls)
      items.push({
        type: 'function_call',
        id: `fc_${ids.item()}`,
        call_id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
        status: 'completed',
      });
  } else {
    items.push({
      type: 'message',
      id: `msg_${ids.item()}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: answer.content ?? '', annotations: [], logprobs: [] }],
    });
  }
  return items;
}

/** A response object as Groq's endpoint answers it (status, output, usage, the request echoed). */
export function responseObject(
  body: ResponsesBody,
  answer: Answer,
  context: { ids: ResponseIds; model: string; createdAt: number; cachedTokens: number },
): Record<string, unknown> {
  const incomplete = answer.finishReason === 'length';
  return {
    id: context.ids.response,
    object: 'response',
    created_at: context.createdAt,
    status: incomplete ? 'incomplete' : 'completed',
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: context.model,
    output: outputItems(answer, context.ids),
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    service_tier: typeof body.service_tier === 'string' ? body.service_tier : 'on_demand',
    store: body.store !== false,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: {
      input_tokens: answer.promptTokens,
      input_tokens_details: { cached_tokens: context.cachedTokens },
      output_tokens: answer.completionTokens,
      output_tokens_details: { reasoning_tokens: answer.reasoningTokens },
      total_tokens: answer.promptTokens + answer.completionTokens,
    },
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/**
 * The event stream of a finished response, in the order Groq (as OpenAI) sends it: created and
 * in_progress with an empty output, each item added, its deltas, done, and `response.completed`
 * (or `.incomplete`) with the whole response and usage. Every event has a rising
 * `sequence_number` from 0.
 */
export function responseEvents(
  response: Record<string, unknown>,
  answer: Answer,
): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const emit = (type: string, fields: Record<string, unknown>) =>
    events.push({ type, sequence_number: events.length, ...fields });
  const opening = { ...response, status: 'in_progress', output: [], usage: null };
  emit('response.created', { response: opening });
  emit('response.in_progress', { response: opening });
  const items = response.output as Array<Record<string, unknown>>;
  items.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'reasoning') {
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const text = answer.reasoning ?? '';
      const part = { type: 'reasoning_text', text: '' };
      emit('response.content_part.added', { item_id, output_index, content_index: 0, part });
      for (const delta of text.match(/\S+\s*/g) ?? [])
        emit('response.reasoning_text.delta', { item_id, output_index, content_index: 0, delta });
      emit('response.reasoning_text.done', { item_id, output_index, content_index: 0, text });
      emit('response.content_part.done', {
        item_id,
        output_index,
        content_index: 0,
        part: { ...part, text },
      });
    } else if (item.type === 'function_call') {
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      const args = String(item.arguments);
      const half = Math.ceil(args.length / 2);
      for (const delta of [args.slice(0, half), args.slice(half)].filter(Boolean))
        emit('response.function_call_arguments.delta', { item_id, output_index, delta });
      emit('response.function_call_arguments.done', { item_id, output_index, arguments: args });
    } else {
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      emit('response.content_part.added', { item_id, output_index, content_index: 0, part });
      for (const delta of answer.pieces)
        emit('response.output_text.delta', {
          item_id,
          output_index,
          content_index: 0,
          delta,
          logprobs: [],
        });
      const text = answer.content ?? '';
      emit('response.output_text.done', {
        item_id,
        output_index,
        content_index: 0,
        text,
        logprobs: [],
      });
      emit('response.content_part.done', {
        item_id,
        output_index,
        content_index: 0,
        part: { ...part, text },
      });
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', {
    response,
  });
  return events;
}
