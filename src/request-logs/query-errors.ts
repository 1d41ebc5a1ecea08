import { GatewayError } from '../common/errors/gateway-error';
import { queryTimeoutOf } from './store/query-timeout';

/** The store cannot answer now (not open yet, unreachable, its thread died): retry shortly. */
export function storeUnavailable(): GatewayError {
  return new GatewayError({
    status: 503,
    message: 'The request log store is unavailable; retry shortly.',
    type: 'api_error',
    code: 'logs_store_unavailable',
    headers: { 'retry-after': '5' },
  });
}

/**
 * The query API's answer to a store error that is not a GatewayError: a query stopped for time
 * is 503 `query_timeout` saying what to narrow; anything else the store's being unavailable.
 */
export function queryFailure(error: unknown): GatewayError {
  const timeout = queryTimeoutOf(error);
  if (timeout === 'deadline')
    return new GatewayError({
      status: 503,
      message:
        'The request log query ran past its deadline (LOGS_QUERY_TIMEOUT_MS) and was stopped. ' +
        'Narrow the time range (from, to) or add filters (virtualKey, model, status, keyId); a q= ' +
        'text search reads every record in the range.',
      type: 'api_error',
      code: 'query_timeout',
    });
  if (timeout === 'busy')
    return new GatewayError({
      status: 503,
      message:
        'Earlier request log queries that ran past their deadline (LOGS_QUERY_TIMEOUT_MS) are ' +
        'still finishing; retry in a few seconds, with a narrower time range or more filters.',
      type: 'api_error',
      code: 'query_timeout',
      headers: { 'retry-after': '5' },
    });
  return storeUnavailable();
}
