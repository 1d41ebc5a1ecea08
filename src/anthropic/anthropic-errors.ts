import type { GatewayError } from '../common/errors/gateway-error';

/** Anthropic's error envelope: `{"type": "error", "error": {"type", "message"}}`. */
export interface AnthropicErrorEnvelope {
  type: 'error';
  error: { type: string; message: string };
}

/** Anthropic's error type for a status, so its SDK raises the matching class. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

export function toAnthropicError(error: GatewayError): AnthropicErrorEnvelope {
  const where = error.param && !error.message.includes(error.param) ? ` (${error.param})` : '';
  return {
    type: 'error',
    error: { type: anthropicErrorType(error.status), message: `${error.message}${where}` },
  };
}
