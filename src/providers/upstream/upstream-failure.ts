import { errors } from 'undici';
import { GatewayError } from '../../common/errors/gateway-error';

/** A transport failure talking to the upstream: 504 for timeouts, 502 for everything else. */
export function upstreamFailure(error: unknown, provider = 'groq'): GatewayError {
  if (error instanceof GatewayError) return error;
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError
  ) {
    const phase =
      error instanceof errors.ConnectTimeoutError
        ? 'connecting'
        : error instanceof errors.HeadersTimeoutError
          ? 'waiting for the first byte'
          : 'waiting for more of the answer';
    return new GatewayError({
      status: 504,
      message: `The ${provider} upstream timed out while ${phase}. Try again; if it persists, check the provider's status.`,
      type: 'api_error',
      code: 'upstream_timeout',
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  return new GatewayError({
    status: 502,
    message: `The ${provider} upstream could not be reached or closed the connection${
      typeof code === 'string' ? ` (${code})` : ''
    }. Try again.`,
    type: 'api_error',
    code: 'upstream_unreachable',
  });
}
