import { GatewayError, invalidRequest } from '../common/errors/gateway-error';
import type { ChatMessage, ChatRequest, ChatToolCall } from '../providers/chat-types';
import { toChatFunctionTool } from '../providers/chat-tools';
import { checkInputItems, MESSAGE_ROLES } from './responses-input-items';
import type {
  ResponsesInputContentPart,
  ResponsesInputItem,
  ResponsesRequest,
} from './responses-types';

/** Responses parameters that have a chat equivalent, or that only shape the response object. */
const HANDLED = new Set([
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
  'background',
  'metadata',
  'user',
  'parallel_tool_calls',
]);

const BUILT_IN_TOOLS = new Set([
  'web_search',
  'web_search_preview',
  'web_search_preview_2025_03_11',
  'file_search',
  'computer_use_preview',
  'computer_use',
  'code_interpreter',
  'image_generation',
  'mcp',
  'local_shell',
  'shell',
  'apply_patch',
  'custom',
]);

/** Where stored state is available instead: Groq's own Responses API, when the operator turns it on. */
const NATIVE_HINT =
  " (Responses calls converted to chat, this gateway's default, keep no state; with responses.mode: native in GATEWAY_CONFIG the gateway passes them to Groq's own Responses API, which takes it).";

export interface ConvertedResponsesRequest {
  chat: ChatRequest;
  /** Responses parameters the gateway does not carry over, for `x-gateway-dropped-params`. */
  dropped: string[];
}

/**
 * A Responses request as one chat request. Pure. A malformed input item, and what cannot be
 * honoured (stored state, built-in tools, images and files), is refused with a 400 naming the
 * parameter, never ignored.
 */
export function responsesToChat(request: ResponsesRequest): ConvertedResponsesRequest {
  refuseWhatCannotBeHonoured(request);
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') {
    messages.push({ role: 'user', content: request.input });
  } else {
    checkInputItems(request.input);
    appendInputItems(request.input, messages);
  }
  if (messages.length === 0) {
    // Groq would refuse `messages: []` naming a field the client never sent.
    throw invalidRequest(
      'input has no message for the model: send a string, or at least one item such as {"role": "user", "content": "..."}',
      'input',
    );
  }

  const chat: ChatRequest = { model: request.model, messages };
  if (request.stream === true) chat.stream = true;
  if (request.max_output_tokens != null) chat.max_completion_tokens = request.max_output_tokens;
  if (request.temperature != null) chat.temperature = request.temperature;
  if (request.top_p != null) chat.top_p = request.top_p;
  if (request.user !== undefined) chat.user = request.user;
  if (request.reasoning?.effort != null) chat.reasoning = { effort: request.reasoning.effort };
  if (request.tools?.length) {
    chat.tools = request.tools.map(toChatFunctionTool);
  }
  if (request.tool_choice !== undefined) chat.tool_choice = toChatToolChoice(request.tool_choice);
  // Same name and meaning in chat; Groq takes it (null: Groq's default, as the response echoes).
  if (request.parallel_tool_calls != null) chat.parallel_tool_calls = request.parallel_tool_calls;
  const format = request.text?.format;
  if (format && format.type !== 'text') {
    chat.response_format =
      format.type === 'json_schema'
        ? {
            type: 'json_schema',
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.strict != null && { strict: format.strict }),
              ...(format.description && { description: format.description }),
            },
          }
        : { type: format.type };
  }
  const dropped = Object.keys(request).filter((name) => !HANDLED.has(name));
  return { chat, dropped };
}

function refuseWhatCannotBeHonoured(request: ResponsesRequest): void {
  if (request.previous_response_id) {
    throw invalidRequest(
      `previous_response_id is not supported: the gateway keeps no conversation state for the groq provider. Send the earlier turns in input instead${NATIVE_HINT}`,
      'previous_response_id',
    );
  }
  if (request.store === true) {
    throw invalidRequest(
      `store: true is not supported: responses are not stored for the groq provider, so they could not be retrieved later. Omit store or set it to false${NATIVE_HINT}`,
      'store',
    );
  }
  if (request.background === true) {
    throw invalidRequest(
      'background responses are not supported for the groq provider. Omit background or set it to false.',
      'background',
    );
  }
  request.tools?.forEach((tool, index) => {
    if (tool.type !== 'function') {
      const kind = BUILT_IN_TOOLS.has(tool.type)
        ? `the built-in tool '${tool.type}'`
        : `tool type '${tool.type}'`;
      throw invalidRequest(
        `${kind} is not supported by the groq provider; only function tools are.`,
        `tools[${index}].type`,
      );
    }
  });
}

/** Items whose shape checkInputItems has checked. */
function appendInputItems(items: readonly ResponsesInputItem[], messages: ChatMessage[]): void {
  items.forEach((item, index) => {
    const type = item.type ?? 'message';
    if (type === 'message') {
      messages.push(messageFrom(item, index));
    } else if (type === 'function_call') {
      const call: ChatToolCall = {
        id: item.call_id as string,
        type: 'function',
        function: { name: item.name as string, arguments: item.arguments ?? '' },
      };
      const previous = messages[messages.length - 1];
      // Parallel calls arrive as consecutive items; chat wants them in one assistant turn.
      if (previous?.role === 'assistant' && previous.tool_calls && !previous.content)
        previous.tool_calls.push(call);
      else messages.push({ role: 'assistant', tool_calls: [call] });
    } else if (type === 'function_call_output') {
      messages.push({
        role: 'tool',
        tool_call_id: item.call_id,
        content: toolOutputText(item.output, index),
      });
    } else if (type === 'reasoning') {
      // A reasoning item from an earlier turn: chat has no slot for it, and Groq reasons afresh.
    } else {
      throw invalidRequest(
        `input item type '${type}' is not supported by the groq provider`,
        `input[${index}].type`,
      );
    }
  });
}

function messageFrom(item: ResponsesInputItem, index: number): ChatMessage {
  const role = item.role as (typeof MESSAGE_ROLES)[number];
  if (typeof item.content === 'string') return { role, content: item.content };
  const texts = (item.content as ResponsesInputContentPart[]).map((part, partIndex) => {
    if (part.type === 'input_text' || part.type === 'output_text') return part.text as string;
    const param = `input[${index}].content[${partIndex}]`;
    if (part.type === 'input_image') {
      throw new GatewayError({
        status: 400,
        message:
          'input_image is not supported by the groq provider through this gateway. Remove the image or describe it in text.',
        param,
        code: 'unsupported_content',
      });
    }
    if (part.type === 'input_file' || part.type === 'input_audio') {
      throw new GatewayError({
        status: 400,
        message: `${part.type} is not supported by the groq provider through this gateway. Send the content as input_text.`,
        param,
        code: 'unsupported_content',
      });
    }
    throw invalidRequest(`content part type '${part.type}' is not supported`, param);
  });
  return { role, content: texts.join('') };
}

const TOOL_CHOICE_MODES: readonly unknown[] = ['none', 'auto', 'required'];

function toChatToolChoice(choice: unknown): unknown {
  if (TOOL_CHOICE_MODES.includes(choice)) return choice;
  const named = choice as { type?: unknown; name?: unknown } | null;
  if (named?.type === 'function' && typeof named.name === 'string' && named.name)
    return { type: 'function', function: { name: named.name } };
  throw invalidRequest(
    'tool_choice must be \'none\', \'auto\', \'required\' or {"type": "function", "name": "..."}',
    'tool_choice',
  );
}

/**
 * A function_call_output's `output` as the text of Groq's tool message: a string as it is; a list
 * of text parts (OpenAI's `input_text`, as clients send results of several pieces) their texts
 * joined; other parts (an image) refused, since a tool message is text only; anything else as its
 * JSON.
 */
function toolOutputText(output: unknown, index: number): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return JSON.stringify(output);
  return output
    .map((part: unknown, partIndex) => {
      const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
      if ((type === 'input_text' || type === 'output_text') && typeof text === 'string')
        return text;
      throw invalidRequest(
        `a function_call_output part of type ${JSON.stringify(type)} is not supported by the groq provider: a tool result reaches the model as text; send input_text parts or a string`,
        `input[${index}].output[${partIndex}]`,
      );
    })
    .join('\n');
}
