import { GatewayError } from './gateway-error';

/** What a request gets once this replica can no longer serve it: another replica will. */
export function shuttingDownError(headers: Record<string, string> = {}): GatewayError {
  return new GatewayError({
    status: 503,
    message: 'The gateway is shutting down. Retry the request; another replica will take it.',
    type: 'api_error',
    code: 'shutting_down',
    headers: { 'retry-after': '1', ...headers },
  });
}
