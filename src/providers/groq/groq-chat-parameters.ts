import type { ModelRouteConfig, RouteTargetConfig } from '../../config/model-routes-config';
import { GatewayError, invalidRequest } from '../../common/errors/gateway-error';
import type { ChatContentPart, ChatMessage, ChatRequest, ModelRoute } from '../chat-types';
import {
  BUILT_IN_TOOL_TYPES,
  CITATION_OPTIONS,
  checkCompoundCustom,
  checkDocuments,
  checkSearchSettings,
  hasBuiltInTools,
  isBoolean,
  isInteger,
  isStringList,
  oneOf,
  REASONING_EFFORTS,
  REASONING_FORMATS,
  reasoningEffortsFor,
  SERVICE_TIERS,
  type ValueCheck,
} from './groq-own-parameters';

/**
 * How each top-level chat parameter reaches Groq. Groq's request schema is closed (an unknown
 * field is a 400), so anything not in this table is dropped and reported to the client.
 *  - forward: sent as is
 *  - rename:  sent under Groq's name
 *  - consumed: the gateway honours it itself and does not send it
 */
type ParameterRule =
  | { kind: 'forward'; check?: ValueCheck }
  | { kind: 'rename'; to: string; map?: (value: unknown) => unknown }
  | { kind: 'consumed' };

const forward: ParameterRule = { kind: 'forward' };
/** Groq's own parameters: sent when not null, after the value check Groq's typings imply. */
const groq = (check: ValueCheck): ParameterRule => ({ kind: 'forward', check });

export const GROQ_CHAT_PARAMETERS: Readonly<Record<string, ParameterRule>> = {
  model: forward,
  messages: forward,
  stream: forward,
  temperature: forward,
  top_p: forward,
  max_tokens: forward,
  max_completion_tokens: forward,
  stop: forward,
  tools: forward,
  tool_choice: forward,
  user: forward,
  response_format: forward,
  reasoning: { kind: 'rename', to: 'reasoning_effort', map: reasoningEffortOf },
  // OpenAI's own name for the same setting; Groq accepts it under this name (checked per model
  // family below).
  reasoning_effort: groq(oneOf(REASONING_EFFORTS)),
  // Groq's own parameters (groq-sdk 1.6 chat/completions.ts).
  reasoning_format: groq(oneOf(REASONING_FORMATS)),
  include_reasoning: groq(isBoolean),
  service_tier: groq(oneOf(SERVICE_TIERS)),
  seed: groq(isInteger),
  parallel_tool_calls: groq(isBoolean),
  search_settings: groq(checkSearchSettings),
  documents: groq(checkDocuments),
  citation_options: groq(oneOf(CITATION_OPTIONS)),
  compound_custom: groq(checkCompoundCustom),
  disable_tool_validation: groq(isBoolean),
  // Older top-level forms of search_settings' domain lists, still in Groq's typings.
  include_domains: groq(isStringList),
  exclude_domains: groq(isStringList),
  // Answered by the gateway from Groq's x_groq.usage (see groq-stream-usage.ts).
  stream_options: { kind: 'consumed' },
  // Fallback models for this request (as Bifrost takes them), tried by the gateway.
  fallbacks: { kind: 'consumed' },
};

/** Groq rejects `user` longer than this; the gateway drops it instead and goes on. */
export const GROQ_MAX_USER_LENGTH = 64;

/** Fields a message may carry to Groq; others (e.g. `name`, `audio`, `refusal`) are dropped. */
const MESSAGE_FIELDS: Readonly<Record<ChatMessage['role'], readonly string[]>> = {
  system: ['role', 'content'],
  developer: ['role', 'content'],
  user: ['role', 'content'],
  assistant: ['role', 'content', 'tool_calls'],
  tool: ['role', 'content', 'tool_call_id'],
};

export interface GroqChatRequest {
  /**
   * Groq's API it goes to: chat completions (absent), or its own Responses API in
   * `responses.mode: native` (the body is then a Responses request).
   */
  api?: 'responses';
  /** The body sent to `POST /openai/v1/chat/completions` (or `/responses`, see `api`). */
  body: Record<string, unknown>;
  /** What was not sent, for `x-gateway-dropped-params` (`messages[].name` for message fields). */
  dropped: string[];
  /** The client asked for OpenAI's final usage chunk. */
  includeUsage: boolean;
  stream: boolean;
  route: ModelRoute;
  /** Fallback model names from the request body, tried before the configured ones. */
  fallbacks: string[];
  /** Set when the model names a model route (issue 23): the route and this call's target order. */
  modelRoute?: { config: ModelRouteConfig; targets: RouteTargetConfig[] };
  /** The retired model asked for, when its successor serves the call (models.onRetired). */
  substitutedFrom?: string;
}

/**
 * Turns a validated OpenAI chat request into the body Groq accepts. Pure: no I/O, no config.
 * Refuses (400) what Groq cannot take, drops what it would reject, and says what it dropped.
 */
export function toGroqChatRequest(request: ChatRequest, route: ModelRoute): GroqChatRequest {
  assertGroqCanReadContent(request.messages);
  const body: Record<string, unknown> = {};
  const dropped: string[] = [];

  for (const name of Object.keys(request)) {
    const value = (request as unknown as Record<string, unknown>)[name];
    const rule = Object.hasOwn(GROQ_CHAT_PARAMETERS, name) ? GROQ_CHAT_PARAMETERS[name] : undefined;
    if (!rule) {
      dropped.push(name);
      continue;
    }
    if (value === undefined) continue;
    if (rule.kind === 'consumed') {
      // Stream options mean nothing without a stream: say so rather than ignore them silently.
      if (name === 'stream_options' && value !== null && request.stream !== true)
        dropped.push(name);
      continue;
    }
    if (rule.kind === 'rename') {
      body[rule.to] ??= rule.map ? rule.map(value) : value;
    } else if (rule.check) {
      // Null means "Groq's default" in its typings: nothing to send.
      if (value === null) continue;
      rule.check(value, name);
      body[name] = value;
    } else {
      body[name] = value;
    }
  }
  checkAcrossParameters(body, route.upstreamModel);

  body.model = route.upstreamModel;
  body.messages = request.messages.map((message) => toGroqMessage(message, dropped));
  if (typeof body.user === 'string' && body.user.length > GROQ_MAX_USER_LENGTH) {
    delete body.user;
    dropped.push('user');
  }
  if (body.reasoning_effort === undefined) delete body.reasoning_effort;

  return {
    body,
    dropped: dropped.length === 0 ? dropped : [...new Set(dropped)],
    includeUsage: request.stream === true && request.stream_options?.include_usage === true,
    stream: request.stream === true,
    route,
    fallbacks: Array.isArray(request.fallbacks) ? (request.fallbacks as string[]) : [],
  };
}

/** Rules that tie parameters to each other or to the model, as Groq applies them. */
function checkAcrossParameters(body: Record<string, unknown>, upstreamModel: string): void {
  if (body.reasoning_format !== undefined && body.include_reasoning !== undefined) {
    throw invalidRequest(
      'reasoning_format and include_reasoning cannot be used together (Groq refuses both); use reasoning_format alone: hidden, raw or parsed',
      'reasoning_format',
    );
  }
  const efforts = reasoningEffortsFor(upstreamModel);
  const effort = body.reasoning_effort;
  if (typeof effort === 'string' && efforts && !efforts.includes(effort)) {
    throw invalidRequest(
      `reasoning_effort '${effort}' is not one ${upstreamModel} takes; use ${efforts.join(', ')}`,
      'reasoning_effort',
    );
  }
  if (Array.isArray(body.tools)) {
    body.tools.forEach((tool: { type?: unknown } | null, index) => {
      const type = tool?.type;
      if (
        typeof type === 'string' &&
        (BUILT_IN_TOOL_TYPES as readonly string[]).includes(type) &&
        !hasBuiltInTools(upstreamModel)
      ) {
        throw invalidRequest(
          `${type} is a built-in tool of openai/gpt-oss-120b and openai/gpt-oss-20b on Groq; ${upstreamModel} does not have it (use a function tool, or groq/compound for web search)`,
          `tools[${index}].type`,
        );
      }
    });
  }
}

function toGroqMessage(message: ChatMessage, dropped: string[]): Record<string, unknown> {
  const allowed = MESSAGE_FIELDS[message.role];
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(message)) {
    const value = (message as unknown as Record<string, unknown>)[field];
    if (allowed.includes(field)) out[field] = value;
    else if (value !== undefined && value !== null) dropped.push(`messages[].${field}`);
  }
  // Groq predates the `developer` role; it is OpenAI's new name for a system message.
  if (message.role === 'developer') out.role = 'system';
  // Only user content may be a list of parts upstream; other roles get the text joined.
  if (message.role !== 'user' && Array.isArray(message.content)) {
    out.content = message.content.map(partText).join('\n');
  }
  return out;
}

/** A part's text as Groq reads it: a text part's `text`, an assistant refusal part's `refusal`. */
function partText(part: ChatContentPart): string {
  if (typeof part.text === 'string') return part.text;
  return part.type === 'refusal' && typeof part.refusal === 'string' ? part.refusal : '';
}

const IMAGE_PART_TYPES = new Set(['image_url', 'input_image', 'image']);
const AUDIO_PART_TYPES = new Set(['input_audio', 'audio']);
const FILE_PART_TYPES = new Set(['file', 'input_file']);

/**
 * Images and audio are refused before any upstream call, naming the part, so the client learns
 * why at once instead of getting a model's confused answer or Groq's opaque 400.
 */
export function assertGroqCanReadContent(messages: readonly ChatMessage[]): void {
  messages.forEach((message, messageIndex) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part: ChatContentPart, partIndex) => {
      const param = `messages[${messageIndex}].content[${partIndex}]`;
      const refusal = refusalFor(part.type);
      if (refusal)
        throw new GatewayError({
          status: 400,
          message: refusal,
          param,
          code: 'unsupported_content',
        });
    });
  });
}

function refusalFor(type: string): string | undefined {
  if (IMAGE_PART_TYPES.has(type)) {
    return 'Image content is not supported by the groq provider through this gateway. Remove the image part or describe the image in text.';
  }
  if (AUDIO_PART_TYPES.has(type)) {
    return 'Audio content is not supported by the groq provider through this gateway. Transcribe the audio first and send the text.';
  }
  if (FILE_PART_TYPES.has(type)) {
    return "File content is not supported by the groq provider through this gateway. Send the file's text as a text part.";
  }
  return undefined;
}

/** `reasoning` may be OpenAI's Responses-style object `{effort}` or a bare effort string. */
export function reasoningEffortOf(value: unknown): string | undefined {
  const effort =
    typeof value === 'string' ? value : (value as { effort?: unknown } | null | undefined)?.effort;
  if (effort === undefined || effort === null) return undefined;
  if (typeof effort !== 'string' || !(REASONING_EFFORTS as readonly string[]).includes(effort)) {
    throw invalidRequest(
      `reasoning effort must be one of ${REASONING_EFFORTS.join(', ')}, got ${JSON.stringify(effort)}`,
      typeof value === 'string' ? 'reasoning' : 'reasoning.effort',
    );
  }
  return effort;
}
