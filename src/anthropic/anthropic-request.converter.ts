import { GatewayError, invalidRequest } from '../common/errors/gateway-error';
import type { ChatMessage, ChatRequest, ChatToolCall } from '../providers/chat-types';
import { toChatFunctionTool } from '../providers/chat-tools';
import type { AnthropicContentBlock, AnthropicMessagesRequest } from './anthropic-types';

const SUPPORTED = new Set([
  'model',
  'max_tokens',
  'messages',
  'system',
  'stop_sequences',
  'temperature',
  'top_p',
  'tools',
  'tool_choice',
  'metadata',
  'stream',
]);
/** Known Anthropic parameters Groq has no equivalent for: accepted, not sent, reported. */
const DROPPED = new Set(['top_k', 'service_tier']);

export interface ConvertedMessagesRequest {
  chat: ChatRequest;
  dropped: string[];
  /**
   * Applied by the gateway on the way back, never sent as Groq's `stop`: Groq leaves the matched
   * text out and says `finish_reason: "stop"` for a natural end too, so neither whether nor which
   * sequence ended the answer could be reported.
   */
  stopSequences: string[];
}

/**
 * A Messages request as one chat request. Pure. Images and unknown fields are refused; the shapes
 * of the blocks it reads were checked by the DTO (dto/content-blocks.ts).
 */
export function messagesToChat(request: AnthropicMessagesRequest): ConvertedMessagesRequest {
  const dropped: string[] = [];
  for (const name of Object.keys(request)) {
    if (SUPPORTED.has(name)) continue;
    if (DROPPED.has(name)) dropped.push(name);
    else
      throw invalidRequest(
        `${name}: Extra inputs are not permitted (not supported by the groq provider through this gateway)`,
        name,
      );
  }

  const messages: ChatMessage[] = [];
  const system =
    typeof request.system === 'string' ? request.system : textOf(request.system ?? [], 'system');
  if (system) messages.push({ role: 'system', content: system });
  const last = request.messages.length - 1;
  request.messages.forEach((message, index) => {
    // An empty final assistant turn prefills nothing; Groq would refuse an empty message.
    if (index === last && message.role === 'assistant' && message.content.length === 0) return;
    appendMessage(message.role, message.content, index, messages);
  });

  const chat: ChatRequest = { model: request.model, messages, max_tokens: request.max_tokens };
  if (request.stream === true) chat.stream = true;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.metadata?.user_id !== undefined) chat.user = request.metadata.user_id;
  if (request.tools?.length) {
    chat.tools = request.tools.map((tool) =>
      toChatFunctionTool({
        name: tool.name,
        description: tool.description,
        parameters: tool.input_schema,
      }),
    );
  }
  if (request.tool_choice) chat.tool_choice = toChatToolChoice(request.tool_choice);
  return { chat, dropped, stopSequences: request.stop_sequences ?? [] };
}

function appendMessage(
  role: 'user' | 'assistant',
  content: string | AnthropicContentBlock[],
  index: number,
  messages: ChatMessage[],
): void {
  if (typeof content === 'string') {
    messages.push({ role, content });
    return;
  }
  if (role === 'assistant') {
    const texts: string[] = [];
    const toolCalls: ChatToolCall[] = [];
    content.forEach((block, blockIndex) => {
      if (block.type === 'text') texts.push(block.text ?? '');
      else if (block.type === 'tool_use') {
        toolCalls.push({
          id: block.id,
          type: 'function',
          function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
        });
      } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
        throw refusedBlock(block.type, `messages[${index}].content[${blockIndex}]`);
      }
    });
    // Only thinking: nothing Groq can take (a chat message has no field for earlier reasoning),
    // and an assistant message with neither text nor tool calls Groq refuses.
    if (texts.length === 0 && toolCalls.length === 0 && content.length > 0) return;
    const message: ChatMessage = { role: 'assistant' };
    if (texts.length) message.content = texts.join('');
    if (toolCalls.length) message.tool_calls = toolCalls;
    messages.push(message);
    return;
  }
  // A user turn: tool results first (they answer the previous assistant turn), then its text.
  const texts: string[] = [];
  content.forEach((block, blockIndex) => {
    const param = `messages[${index}].content[${blockIndex}]`;
    if (block.type === 'text') texts.push(block.text ?? '');
    else if (block.type === 'tool_result') {
      const result =
        typeof block.content === 'string'
          ? block.content
          : textOf(block.content ?? [], `${param}.content`);
      messages.push({
        role: 'tool',
        tool_call_id: block.tool_use_id,
        content: block.is_error ? `Error: ${result}` : result,
      });
    } else throw refusedBlock(block.type, param);
  });
  if (texts.length) messages.push({ role: 'user', content: texts.join('') });
}

/** The text of text-only blocks; `listParam` names the list, e.g. `system`. */
function textOf(blocks: readonly AnthropicContentBlock[], listParam: string): string {
  return blocks
    .map((block, index) => {
      if (block.type === 'text') return block.text ?? '';
      throw refusedBlock(block.type, `${listParam}[${index}]`);
    })
    .join('');
}

function refusedBlock(type: string, param: string): GatewayError {
  if (type === 'image' || type === 'document') {
    return new GatewayError({
      status: 400,
      message: `${type} blocks are not supported by the groq provider through this gateway. Remove the ${type} or describe it in text.`,
      param,
      code: 'unsupported_content',
    });
  }
  return invalidRequest(
    `content block type '${type}' is not supported by the groq provider through this gateway`,
    param,
  );
}

function toChatToolChoice(choice: NonNullable<AnthropicMessagesRequest['tool_choice']>): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}
