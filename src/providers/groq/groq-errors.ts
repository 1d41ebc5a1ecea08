import { groqErrorCode } from '../../common/errors/error-codes';
import { ERROR_TYPES, GatewayError, type ErrorType } from '../../common/errors/gateway-error';
import { scrubCredentials } from '../../common/scrub-credentials';

/** Groq headers a client may need to see on an error (how long to wait, where it stands). */
const FORWARDED_ERROR_HEADERS = [
  'retry-after',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
];

type HeaderBag = Record<string, string | string[] | undefined>;

/**
 * An error answer from Groq becomes the client's error: same status, Groq's message, type and
 * code, `retry-after` kept. A body that is not Groq's envelope still gives a readable message.
 */
export function groqHttpError(
  status: number,
  headers: HeaderBag,
  bodyText: string,
  /** The key the request was sent with: never repeated to the client if the answer echoes it. */
  sentKeys: readonly string[] = [],
): GatewayError {
  const parsed = parseErrorBody(bodyText);
  const forwarded: Record<string, string> = {};
  for (const name of FORWARDED_ERROR_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') forwarded[name] = value;
  }
  const { message, type, code, param, ...extra } = parsed ?? {};
  const known = groqErrorCode(code);
  return new GatewayError({
    status,
    // An upstream (or a proxy before it) may quote the credentials it was sent.
    message:
      typeof message === 'string' && message
        ? scrubCredentials(message, sentKeys)
        : `Groq answered ${status} without an error message.`,
    type: errorTypeOf(type),
    code: known ?? (status >= 500 ? 'upstream_error' : null),
    param: typeof param === 'string' ? param : null,
    headers: forwarded,
    // A code Groq documents nowhere is not one of the gateway's: the client still sees Groq's word.
    extra: {
      ...pickExtra(extra),
      ...(typeof code === 'string' && !known && { upstream_code: code }),
    },
  });
}

/** A named `event: error` inside Groq's stream, after the 200 was sent. */
export function groqStreamError(data: string, sentKeys: readonly string[] = []): GatewayError {
  const parsed = parseErrorBody(data);
  const status = typeof parsed?.status_code === 'number' ? parsed.status_code : 502;
  return groqHttpError(
    status,
    {},
    JSON.stringify({ error: parsed ?? { message: data } }),
    sentKeys,
  );
}

const TYPES: ReadonlySet<string> = new Set(ERROR_TYPES);

/** Groq's error type when it is one the gateway knows; else the status's default. */
function errorTypeOf(type: unknown): ErrorType | undefined {
  return typeof type === 'string' && TYPES.has(type) ? (type as ErrorType) : undefined;
}

/** Fields of Groq's error object worth keeping for the client (never headers or internals). */
function pickExtra(extra: Record<string, unknown>): Record<string, unknown> {
  return typeof extra.failed_generation === 'string'
    ? { failed_generation: extra.failed_generation }
    : {};
}

function parseErrorBody(text: string): Record<string, unknown> | undefined {
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (body && typeof body.error === 'object' && body.error !== null) {
      return body.error as Record<string, unknown>;
    }
    if (body && typeof body.error === 'string') return { message: body.error };
    // A Responses stream's error event carries its fields itself: {type: "error", code, message}.
    const event = body as { type?: unknown; message?: unknown };
    if (event?.type === 'error' && typeof event.message === 'string') {
      const {
        type: _type,
        sequence_number: _sequence,
        ...fields
      } = event as Record<string, unknown>;
      return { type: 'api_error', ...fields };
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to a message built from the text.
  }
  const snippet = text.trim().slice(0, 200);
  return snippet ? { message: `Groq answered with a non-JSON error: ${snippet}` } : undefined;
}

/**
 * Groq refused one of the gateway's own keys (401/403): the caller did nothing wrong, so this is
 * a 502 that names the key id (never the key), retried on another key while one is left.
 */
export function keyRejected(keyId: string, groqError: GatewayError): GatewayError {
  return new GatewayError({
    status: 502,
    message: `Groq refused the gateway's key '${keyId}' (${groqError.status}${groqError.code ? ` ${groqError.code}` : ''}: ${groqError.message}). The key is out of rotation; no other key could serve the request. The gateway's operator must replace it.`,
    type: 'api_error',
    code: 'upstream_key_rejected',
  });
}
