import type { ErrorCode } from '../common/errors/error-codes';

/** The OpenAI Responses API shapes the gateway reads and writes (see groq-wire.md). */
export interface ResponsesInputContentPart {
  type: string;
  text?: string;
  [field: string]: unknown;
}

export interface ResponsesInputItem {
  type?: string;
  role?: string;
  content?: string | ResponsesInputContentPart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: unknown;
  [field: string]: unknown;
}

export interface ResponsesFunctionTool {
  type: string;
  name?: string;
  description?: string;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

export interface ResponsesTextFormat {
  type: 'text' | 'json_object' | 'json_schema';
  name?: string;
  description?: string;
  schema?: Record<string, unknown>;
  strict?: boolean;
}

export interface ResponsesRequest {
  model: string;
  input: string | ResponsesInputItem[];
  instructions?: string | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  tools?: ResponsesFunctionTool[];
  tool_choice?: unknown;
  text?: { format?: ResponsesTextFormat } | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  stream?: boolean;
  store?: boolean | null;
  previous_response_id?: string | null;
  background?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  parallel_tool_calls?: boolean | null;
  [field: string]: unknown;
}

export interface ResponsesOutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  /** Required by OpenAI's schema; Groq gives none, so always empty. */
  logprobs: unknown[];
}

export interface ResponsesMessageItem {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: ResponsesOutputText[];
}

export interface ResponsesFunctionCallItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

/** Groq's `reasoning`, as a reasoning item whose summary is the model's reasoning text. */
export interface ResponsesReasoningItem {
  type: 'reasoning';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  summary: Array<{ type: 'summary_text'; text: string }>;
}

export type ResponsesOutputItem =
  ResponsesReasoningItem | ResponsesMessageItem | ResponsesFunctionCallItem;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  error: null | { code: ErrorCode; message: string };
  incomplete_details: null | { reason: 'max_output_tokens' | 'content_filter' };
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: ResponsesOutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: null };
  store: false;
  temperature: number | null;
  text: { format: ResponsesTextFormat };
  tool_choice: unknown;
  tools: ResponsesFunctionTool[];
  top_p: number | null;
  truncation: 'disabled';
  /** Absent until known (OpenAI's schema has no null here). */
  usage?: ResponsesUsage;
  /** Echoed when the request had one; absent otherwise (a string or nothing, never null). */
  user?: string;
  metadata: Record<string, string>;
}

/** One streamed Responses event; `type` is also the SSE `event:` name. */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}
