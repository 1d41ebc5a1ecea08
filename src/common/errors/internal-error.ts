import { pathOf } from '../http/path-of';
import { suggestedPath } from '../http/path-hint';
import { GatewayError, unsupportedMediaType } from './gateway-error';

/**
 * Turns anything thrown into a GatewayError a client may see. Framework errors that carry a 4xx
 * status (Fastify body parsing, Nest's HttpException) keep it; everything else is a 500 whose
 * message says nothing about internals.
 */
export function toGatewayError(error: unknown, method = '', url = ''): GatewayError {
  if (error instanceof GatewayError) return error;
  const status = statusOf(error);
  const message = messageOf(error);
  // Nest's not-found handler throws NotFoundException('Cannot GET /path') for unknown routes.
  if (status === 404 && message.startsWith('Cannot ')) {
    const hint = suggestedPath(url);
    return new GatewayError({
      status: 404,
      message: hint
        ? `Unknown request URL: ${method} ${pathOf(url)}. Did you mean ${hint}? (An OpenAI-compatible base URL ends in /v1: http://<gateway>/v1.)`
        : `Unknown request URL: ${method} ${pathOf(url)}. Please check the URL and method.`,
      code: 'unknown_url',
    });
  }
  // Fastify's body errors reach here as HttpException(message, statusCode) via Nest's handler.
  if (status === 413) {
    return new GatewayError({
      status: 413,
      message: 'Request body is larger than the gateway accepts. Send a smaller request.',
      code: 'request_too_large',
    });
  }
  // Fastify's own 415 (a Content-Type header it cannot parse) answers as the gateway's does.
  if (status === 415) return unsupportedMediaType();
  if (status === 400 && /JSON/i.test(message)) {
    return new GatewayError({
      status: 400,
      message: `We could not parse the JSON body of your request (${message}). Send a valid JSON object.`,
      code: 'invalid_json',
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError({ status, message });
  }
  return new GatewayError({
    status: 500,
    message: 'The gateway failed to handle this request. It has been logged; try again.',
    type: 'api_error',
    code: 'internal_error',
  });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { statusCode?: unknown; status?: unknown; getStatus?: () => number };
  if (typeof candidate.getStatus === 'function') return candidate.getStatus();
  if (typeof candidate.statusCode === 'number') return candidate.statusCode;
  if (typeof candidate.status === 'number') return candidate.status;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : 'Bad request';
}
