/**
 * The chat-completions wire shapes the gateway itself reads or writes. Upstream objects carry more
 * fields than these (Groq's timings, x_groq, ...); they are kept and passed on untouched.
 */
export interface ChatToolCall {
  index?: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | ChatContentPart[] | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  name?: string;
  [field: string]: unknown;
}

export interface ChatContentPart {
  type: string;
  text?: string;
  [field: string]: unknown;
}

/** A function tool as chat takes it. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown; strict?: boolean };
}

/** A chat request as the client sent it (already validated by the DTO). */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  [field: string]: unknown;
}

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  [field: string]: unknown;
}

export type FinishReason =
  'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | null;

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: {
      role: 'assistant';
      content?: string | null;
      reasoning?: string;
      tool_calls?: ChatToolCall[];
    };
    finish_reason: FinishReason;
    logprobs?: unknown;
  }>;
  usage?: ChatUsage;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint?: string;
  choices: Array<{
    index: number;
    delta: {
      role?: 'assistant';
      content?: string | null;
      reasoning?: string;
      tool_calls?: ChatToolCall[];
    };
    finish_reason: FinishReason;
    logprobs?: unknown;
  }>;
  usage?: ChatUsage | null;
  x_groq?: { id?: string; usage?: ChatUsage; [field: string]: unknown };
  [field: string]: unknown;
}

/**
 * Where a model string is sent: the provider and the id that provider knows it by. Read-only: one
 * route serves every call for its model string (routeModel remembers it).
 */
export interface ModelRoute {
  readonly provider: 'groq';
  /** The id the provider knows, e.g. `openai/gpt-oss-120b` for `groq/openai/gpt-oss-120b`. */
  readonly upstreamModel: string;
  /** The model string as the client wrote it. */
  readonly requestedModel: string;
}

/**
 * What Groq's own `/openai/v1/responses` answers (responses.mode: native): a response object
 * (`object: "response"`), or one streamed event (`type`, `sequence_number`, often `response`).
 * Passed on as it came; the gateway reads only its model and usage.
 */
export interface NativeResponsesValue {
  object?: string;
  type?: string;
  model?: string;
  usage?: Record<string, unknown> | null;
  response?: { model?: string; usage?: Record<string, unknown> | null; [field: string]: unknown };
  [field: string]: unknown;
}
