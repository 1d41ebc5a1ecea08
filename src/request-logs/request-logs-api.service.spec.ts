import type { FastifyRequest } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecord } from '../../test/e2e/support/request-logs';
import { GatewayError } from '../common/errors/gateway-error';
import type { GovernanceService } from '../governance/governance.service';
import { RequestLogsApiService } from './request-logs-api.service';
import type { RequestLogsService } from './request-logs.service';
import { openSqlite } from './store/connect';
import { LogStore } from './store/log-store';

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

  it('answers a request id holding a control character 404 without asking the store (Postgres refuses a NUL)', async () => {
    const answer = await failure(api.get('req\u0000'));
    expect(answer).toMatchObject({ status: 404, code: 'log_not_found', param: 'requestId' });
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

describe('the request logs API over a real SQLite store', () => {
  let dir: string;
  let store: LogStore;
  let api: RequestLogsApiService;
  const search = { teams: ['search'], bodies: true };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logs-api-spec-'));
    store = new LogStore(openSqlite(dir));
    await store.migrate();
    const logs = {
      storeConfigured: true,
      storeReady: true,
      store,
    } as unknown as RequestLogsService;
    const governance = { audit: { write: () => undefined } } as unknown as GovernanceService;
    api = new RequestLogsApiService(logs, governance);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The same request id, first on a search key, then (newer) on an ads key. */
  async function reusedId(requestId: string) {
    const start = Date.now() - 10_000;
    const own = sampleRecord({ request_id: requestId, team_id: 'search', time: iso(start) });
    const other = sampleRecord({ request_id: requestId, team_id: 'ads', time: iso(start + 1) });
    await store.insert([own, other]);
    return { own, other };
  }
  const iso = (ms: number) => new Date(ms).toISOString();

  it("answers a request id's newest record the caller may see, not another team's reusing it", async () => {
    const { own, other } = await reusedId('R');
    expect(await api.get('R', search)).toEqual(own);
    expect(await api.get('R', { teams: ['ads'], bodies: true })).toEqual(other);
    expect(await api.get('R')).toEqual(other);
    await expect(api.get('R', { teams: ['finance'], bodies: true })).rejects.toMatchObject({
      status: 404,
      code: 'log_not_found',
    });
  });

  it('erases by request id only the records the caller may see', async () => {
    const { other } = await reusedId('R');
    const request = { method: 'DELETE', url: '/admin/logs', id: 'req-1' } as FastifyRequest;
    const erased = await api.erase(request, { requestId: 'R' }, { actor: 'dave' }, search);
    expect(erased).toEqual({ object: 'logs.deleted', deleted: 1 });
    expect(await api.get('R')).toEqual(other);
  });

  it('takes q as a substring: % and _ match themselves, not anything', async () => {
    await store.insert(
      ['pg-3', 'ratio-100%', 'snake_case'].map((id) => sampleRecord({ request_id: id })),
    );
    const found = async (q: string) =>
      (await api.list({ q })).data.map((record) => record.request_id);
    expect(await found('%')).toEqual(['ratio-100%']);
    expect(await found('_')).toEqual(['snake_case']);
    expect(await found('pg_3')).toEqual([]);
    expect(await found('pg%3')).toEqual([]);
    expect(await found('\\')).toEqual([]);
    expect(await found('PG-3')).toEqual(['pg-3']);
  });
});
