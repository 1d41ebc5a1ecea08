/**
 * Every error code a client of the gateway can see: one closed union. The gateway's own codes,
 * then Groq's (groq-wire.md), which pass through unchanged; a code Groq adds later reaches the
 * client as `upstream_error` (5xx) or no code (4xx), with Groq's own word in `upstream_code`.
 */
export const GATEWAY_ERROR_CODES = [
  // The request as sent (transport and body).
  'bad_http_request',
  'invalid_json',
  'request_too_large',
  'request_timeout',
  'unsupported_media_type',
  'unknown_url',
  'method_not_allowed',
  // What the gateway cannot serve, or refuses before any upstream call.
  'unsupported_operation',
  'unsupported_content',
  'invalid_model',
  'model_not_mapped',
  'invalid_tool_arguments',
  // Governance.
  'missing_api_key',
  'invalid_api_key',
  'model_not_allowed',
  'model_not_priced',
  'rate_limit_exceeded',
  'budget_exceeded',
  'exceeds_key_token_limit',
  'governance_unavailable',
  // Guardrails.
  'guardrail_blocked',
  'guardrail_unavailable',
  'unknown_guardrail',
  // The admin API.
  'invalid_admin_key',
  'admin_api_disabled',
  'key_exists',
  'key_not_found',
  'key_not_changeable',
  // Access (issue 20): roles, personal access tokens, teams.
  'permission_denied',
  'access_token_expired',
  'token_not_found',
  'role_exceeds_yours',
  'team_not_found',
  'team_exists',
  // Sign-in to the admin side (issue 20).
  'not_signed_in',
  'csrf_failed',
  'login_failed',
  'unknown_provider',
  'auth_unavailable',
  'session_not_found',
  'team_not_changeable',
  // Request logs.
  'invalid_query_parameter',
  'log_not_found',
  'logs_store_off',
  'ui_not_built',
  'too_many_tails',
  'logs_store_unavailable',
  'query_timeout',
  // Alerts.
  'missing_channel',
  'channel_not_found',
  // The upstream.
  'upstream_error',
  'upstream_unreachable',
  'upstream_key_rejected',
  'upstream_timeout',
  'upstream_stream_incomplete',
  // The caller's own deadline (x-envoy-expected-rq-timeout-ms / x-request-timeout-ms) passed.
  'deadline_exceeded',
  // The gateway itself.
  'shutting_down',
  'internal_error',
] as const;

/** Groq's codes (groq-wire.md), forwarded as they come. */
export const GROQ_ERROR_CODES = [
  'invalid_api_key',
  'model_not_found',
  'model_decommissioned',
  'unknown_url',
  'context_length_exceeded',
  'json_validate_failed',
  'tool_use_failed',
  'rate_limit_exceeded',
  'capacity_exceeded',
  'service_unavailable',
] as const;

export type ErrorCode = (typeof GATEWAY_ERROR_CODES)[number] | (typeof GROQ_ERROR_CODES)[number];

const GROQ_CODES: ReadonlySet<string> = new Set(GROQ_ERROR_CODES);

/** Groq's code as one of the union, or undefined for a code Groq documents nowhere. */
export function groqErrorCode(code: unknown): ErrorCode | undefined {
  return typeof code === 'string' && GROQ_CODES.has(code) ? (code as ErrorCode) : undefined;
}
