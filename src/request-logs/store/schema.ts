/** The `request_logs` table as both stores hold it (booleans as 0/1, time as epoch ms). */
export interface RequestLogRow {
  id: string;
  schema_version: number;
  time_ms: number;
  request_id: string;
  trace_id: string;
  method: string;
  path: string;
  route: string;
  api_family: string;
  virtual_key_id: string | null;
  team_id: string | null;
  model_asked: string | null;
  model: string | null;
  model_route: string | null;
  key_id: string | null;
  status: number;
  error_code: string | null;
  attempts: number;
  retries: number;
  fallbacks: number;
  stream: number;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  prompt_tokens: number | null;
  cached_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  total_tokens: number | null;
  cost_usd: number | null;
  guardrails: string | null;
  client_address: string | null;
  user_agent: string | null;
  request_body: string | null;
  response_body: string | null;
}

export interface LogsDatabase {
  request_logs: RequestLogRow;
}
