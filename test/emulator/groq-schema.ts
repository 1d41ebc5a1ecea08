import type { EmulatedModel } from './models';

/** Groq's chat request schema is closed: these are the fields it accepts (groq-wire.md). */
const ACCEPTED_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'tools',
  'tool_choice',
  'user',
  'response_format',
  'reasoning_effort',
  'reasoning_format',
  'include_reasoning',
  'service_tier',
  'seed',
  'parallel_tool_calls',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'metadata',
  'store',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'function_call',
  'functions',
  'search_settings',
  'documents',
  'citation_options',
  'compound_custom',
  'disable_tool_validation',
  'include_domains',
  'exclude_domains',
]);

const TOOL_TYPES = ['function', 'browser_search', 'code_interpreter'];

const MESSAGE_FIELDS = new Set([
  'role',
  'content',
  'tool_calls',
  'tool_call_id',
  'reasoning',
  'name',
]);

export interface SchemaError {
  status: number;
  message: string;
  code?: string;
  param?: string;
}

/** Validates a chat body as Groq does; returns Groq's error for the first problem found. */
export function checkChatRequest(
  body: Record<string, unknown>,
  model: EmulatedModel | undefined,
): SchemaError | undefined {
  for (const field of Object.keys(body)) {
    if (!ACCEPTED_FIELDS.has(field)) {
      return {
        status: 400,
        message: `property '${field}' is unsupported, did you mean '${closest(field, ACCEPTED_FIELDS)}'?`,
      };
    }
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return { status: 400, message: "'messages' : minimum number of items is 1", param: 'messages' };
  }
  for (const [index, message] of (body.messages as Record<string, unknown>[]).entries()) {
    // An assistant turn carries text or tool calls; one with neither is refused.
    if (
      message.role === 'assistant' &&
      (message.content === undefined || message.content === null || message.content === '') &&
      !(Array.isArray(message.tool_calls) && message.tool_calls.length > 0)
    ) {
      return {
        status: 400,
        message: `'messages.${index}' : for 'role:assistant' the following must be satisfied[('messages.${index}.content' : value must be a non-empty string) OR ('messages.${index}.tool_calls' : minimum number of items is 1)]`,
        param: `messages.${index}`,
      };
    }
    for (const field of Object.keys(message)) {
      if (!MESSAGE_FIELDS.has(field)) {
        return {
          status: 400,
          message: `'messages.${index}' : for 'role:${String(message.role)}' the following must be satisfied[('messages.${index}' : property '${field}' is unsupported)]`,
        };
      }
    }
  }
  // groq-sdk: "Up to 4 sequences"; Groq refuses a fifth (its wording reported in letta-ai/letta#1288).
  if (!isGroqStop(body.stop)) {
    return {
      status: 400,
      message:
        "'stop' : one of the following must be satisfied[('stop' : value must be a string) OR ('stop' : maximum number of items is 4)]",
      param: 'stop',
    };
  }
  if (body.n !== undefined && body.n !== 1)
    return { status: 400, message: "'n' : number must be at most 1" };
  if (body.logprobs === true)
    return { status: 400, message: 'logprobs is not supported with this model' };
  if (body.logit_bias !== undefined) return { status: 400, message: 'logit_bias is not supported' };
  if (typeof body.user === 'string' && body.user.length > 64) {
    return { status: 400, message: "'user' : string must be at most 64 characters" };
  }
  if (body.reasoning_format !== undefined && body.include_reasoning !== undefined) {
    return {
      status: 400,
      message: 'reasoning_format and include_reasoning cannot both be set',
      param: 'reasoning_format',
    };
  }
  if (
    body.reasoning_format !== undefined &&
    !['hidden', 'raw', 'parsed'].includes(String(body.reasoning_format))
  ) {
    return { status: 400, message: "'reasoning_format' : value is not one of the allowed values" };
  }
  if (
    body.service_tier !== undefined &&
    !['auto', 'on_demand', 'flex', 'performance'].includes(String(body.service_tier))
  ) {
    return { status: 400, message: "'service_tier' : value is not one of the allowed values" };
  }
  if (Array.isArray(body.tools)) {
    for (const [index, tool] of (body.tools as Array<{ type?: string }>).entries()) {
      if (!TOOL_TYPES.includes(String(tool.type)))
        return {
          status: 400,
          message: `'tools.${index}.type' : value is not one of the allowed values`,
        };
      if (tool.type !== 'function' && !model?.builtInTools)
        return {
          status: 400,
          message: `tool type '${tool.type}' is not supported with this model`,
        };
    }
  }
  const format = (body.response_format as { type?: string } | undefined)?.type;
  if (
    (format === 'json_object' || format === 'json_schema') &&
    Array.isArray(body.tools) &&
    body.tools.length > 0
  ) {
    return { status: 400, message: 'json mode cannot be combined with tool/function calling' };
  }
  if (body.reasoning_effort !== undefined && model) {
    const allowed =
      model.reasoning === 'gpt-oss'
        ? ['low', 'medium', 'high']
        : model.reasoning === 'qwen'
          ? ['none', 'default']
          : [];
    if (!allowed.includes(String(body.reasoning_effort))) {
      return {
        status: 400,
        message: `\`reasoning_effort\` is not supported with this model${allowed.length ? `; use one of ${allowed.join(', ')}` : ''}`,
        param: 'reasoning_effort',
      };
    }
  }
  return undefined;
}

function closest(field: string, candidates: Set<string>): string {
  let best = '';
  let bestScore = -1;
  for (const candidate of candidates) {
    let score = 0;
    for (let i = 0; i < Math.min(field.length, candidate.length); i++)
      if (field[i] === candidate[i]) score++;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** Groq's `stop`: absent or null, a string, or at most 4 strings. */
function isGroqStop(stop: unknown): boolean {
  if (stop === undefined || stop === null || typeof stop === 'string') return true;
  return Array.isArray(stop) && stop.length <= 4 && stop.every((item) => typeof item === 'string');
}
