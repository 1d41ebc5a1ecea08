import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../common/errors/gateway-error';
import type { GovernanceService } from '../governance/governance.service';
import { RequestLogsApiService } from './request-logs-api.service';
import type { RequestLogsService } from './request-logs.service';
import type { LogStore } from './store/log-store';

/** Postgres's query_canceled: statement_timeout, or a server-side cancel (pg_cancel_backend). */
const canceled = () =>
  Promise.reject(
    Object.assign(new Error('canceling statement due to user request'), { code: '57014' }),
  );

describe('the request logs API: a statement the server canceled', () => {
  const store = { page: canceled, erase: canceled } as unknown as LogStore;
  const logs = { storeConfigured: true, storeReady: true, store } as unknown as RequestLogsService;
  const api = new RequestLogsApiService(logs, {} as GovernanceService);
  const failure = (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (error: unknown) => error as GatewayError,
    );

  it('answers a query of the query API 503 query_timeout, saying what to narrow', async () => {
    const answer = await failure(api.list({}));
    expect(answer).toBeInstanceOf(GatewayError);
    expect(answer?.status).toBe(503);
    expect(answer?.code).toBe('query_timeout');
  });

  it('answers an erasure 503 logs_store_unavailable: it has no deadline, nothing to narrow', async () => {
    const answer = await failure(
      api.erase({} as FastifyRequest, { virtualKey: 'vk-1' }, { actor: 'admin' }),
    );
    expect(answer).toBeInstanceOf(GatewayError);
    expect(answer?.toEnvelope()).toEqual({
      error: {
        message: 'The request log store is unavailable; retry shortly.',
        type: 'api_error',
        code: 'logs_store_unavailable',
        param: null,
      },
    });
    expect(answer?.headers).toEqual({ 'retry-after': '5' });
  });
});
