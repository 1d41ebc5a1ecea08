import { GatewayError } from '../common/errors/gateway-error';
import { queryFailure } from './query-errors';
import { QueryTimeoutError } from './store/query-timeout';

describe('the query API’s answer to a store error', () => {
  it('answers a statement past its deadline (SQLite) with 503 query_timeout saying what to narrow', () => {
    const failure = queryFailure(new QueryTimeoutError('deadline', 'ran past 50 ms'));
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure.status).toBe(503);
    expect(failure.toEnvelope()).toEqual({
      error: {
        message: expect.stringMatching(/LOGS_QUERY_TIMEOUT_MS.*Narrow the time range/s),
        type: 'api_error',
        code: 'query_timeout',
        param: null,
      },
    });
  });

  it('answers Postgres’s query_canceled (57014, statement_timeout) the same way', () => {
    const canceled = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    });
    expect(queryFailure(canceled).code).toBe('query_timeout');
    expect(queryFailure(canceled).headers).toEqual({});
  });

  it('refuses at once while earlier slow queries still run: 503 query_timeout with retry-after', () => {
    const failure = queryFailure(new QueryTimeoutError('busy', '2 threads'));
    expect(failure.status).toBe(503);
    expect(failure.code).toBe('query_timeout');
    expect(failure.message).toMatch(/still finishing; retry in a few seconds/);
    expect(failure.headers).toEqual({ 'retry-after': '5' });
  });

  it('answers anything else as the store being unavailable, never with its text', () => {
    for (const error of [new Error('SQLITE_CORRUPT: secret detail'), { code: '08006' }, 'x']) {
      const failure = queryFailure(error);
      expect(failure.status).toBe(503);
      expect(failure.code).toBe('logs_store_unavailable');
      expect(failure.message).not.toMatch(/secret/);
    }
  });
});
