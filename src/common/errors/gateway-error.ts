import type { ErrorCode } from './error-codes';

/** OpenAI's error envelope: what every client of the OpenAI-compatible surface receives. */
export interface OpenAiErrorBody {
  message: string;
  type: string;
  code: ErrorCode | null;
  param: string | null;
  [extra: string]: unknown;
}

export interface OpenAiErrorEnvelope {
  error: OpenAiErrorBody;
}

/** Error types: OpenAI's, then those Groq sends (passed through; see groq-errors.ts). */
export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'api_error',
  'upstream_error',
  'insufficient_quota',
  'tokens',
  'requests',
  'internal_server_error',
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

export interface GatewayErrorInit {
  status: number;
  message: string;
  type?: ErrorType;
  code?: ErrorCode | null;
  param?: string | null;
  /** Response headers that belong to the error, e.g. `retry-after` on a 429. */
  headers?: Record<string, string>;
  /** Extra fields kept from an upstream error body (e.g. Groq's `failed_generation`). */
  extra?: Record<string, unknown>;
}

/**
 * The one exception type the gateway throws on purpose. The global filter turns it into OpenAI's
 * envelope; anything that is not a GatewayError is an internal fault and is never shown as-is.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: ErrorCode | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type ?? defaultTypeForStatus(init.status);
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.headers = init.headers ?? {};
    this.extra = init.extra ?? {};
  }

  toEnvelope(): OpenAiErrorEnvelope {
    return {
      error: {
        ...this.extra,
        message: this.message,
        type: this.type,
        code: this.code,
        param: this.param,
      },
    };
  }
}

export function defaultTypeForStatus(status: number): ErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** A client mistake in the request body: 400 with the offending field in `param`. */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code?: ErrorCode,
): GatewayError {
  return new GatewayError({ status: 400, message, param, code: code ?? null });
}

export function unsupportedOperation(operation: string, provider = 'groq'): GatewayError {
  return new GatewayError({
    status: 400,
    message: `${operation} is not supported by ${provider} provider`,
    code: 'unsupported_operation',
  });
}

/** A request body the gateway does not take: anything but JSON (forms on the SAML ACS aside). */
export function unsupportedMediaType(): GatewayError {
  return new GatewayError({
    status: 415,
    message:
      'Unsupported Content-Type. Send the request body as JSON with Content-Type: application/json.',
    code: 'unsupported_media_type',
  });
}
