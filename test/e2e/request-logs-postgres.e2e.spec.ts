import { Client } from 'pg';
import { GroqEmulator } from '../emulator/emulator';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { startPostgres, type PostgresServer } from './support/postgres-server';
import { adminGet, logs, metricValue, waitForLogs } from './support/request-logs';
import { GATEWAY_KEY } from './support/stack';

const BIG = 'groq/llama-3.3-70b-versatile';
const SMALL = 'groq/llama-3.1-8b-instant';
const KEY_A = 'vk-pg-team-a-secret-000000000000';
const KEY_B = 'vk-pg-team-b-secret-000000000000';

describe('request logs on PostgreSQL: two gateways, one store, the same answers', () => {
  let postgres: PostgresServer;
  let emulator: GroqEmulator;
  let gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    const upstream = await emulator.start();
    const config = writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: team-a, keyEnv: KEY_A }
    - { id: team-b, keyEnv: KEY_B }
`);
    const env = (replica: string) => ({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: GATEWAY_KEY,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: config.path,
      KEY_A,
      KEY_B,
      LOGS_STORE: 'postgres',
      LOGS_POSTGRES_URL: postgres.url,
      LOGS_FLUSH_INTERVAL_MS: '20',
      LOGS_REPLICA_ID: replica,
    });
    // Started together: the migrations' lock lets one replica make the schema.
    gateways = await Promise.all([startGateway(env('one')), startGateway(env('two'))]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator.stop();
    await postgres.stop();
  });

  const call = (gateway: GatewayProcess, key: string, model: string, requestId: string) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello ${requestId}` }] }),
    });

  it('both replicas write to it and each answers the same query, filters and stats', async () => {
    const [one, two] = gateways;
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? one : two;
      const response = await call(via, i < 4 ? KEY_A : KEY_B, i < 3 ? BIG : SMALL, `pg-${i}`);
      expect(response.status).toBe(200);
    }
    const missing = await call(two, KEY_B, 'groq/no-such-model', 'pg-404');
    expect(missing.status).toBe(404);
    await waitForLogs(one.url, 7);

    for (const query of [
      'limit=100',
      'virtualKey=team-b',
      `model=${encodeURIComponent(SMALL)}`,
      'status=4xx',
      'q=PG-3',
      'limit=2',
    ]) {
      const fromOne = await logs(one.url, query);
      const fromTwo = await logs(two.url, query);
      expect(fromTwo).toEqual(fromOne);
    }
    expect((await logs(one.url)).data.map((r) => r.request_id)).toEqual([
      'pg-404',
      'pg-5',
      'pg-4',
      'pg-3',
      'pg-2',
      'pg-1',
      'pg-0',
    ]);
    expect((await logs(one.url, 'virtualKey=team-b')).data.map((r) => r.request_id)).toEqual([
      'pg-404',
      'pg-5',
      'pg-4',
    ]);
    // q is a substring: % and _ are characters, not LIKE's wildcards (no request id holds them).
    for (const query of ['q=%25', 'q=pg_3', 'q=pg%253'])
      expect((await logs(one.url, query)).data).toEqual([]);
    expect((await logs(one.url, 'q=pg-3')).data.map((r) => r.request_id)).toEqual(['pg-3']);
    expect((await logs(two.url, 'status=404')).data[0]).toMatchObject({
      request_id: 'pg-404',
      status: 404,
      virtual_key_id: 'team-b',
    });

    const stats = await adminGet<{ data: Record<string, unknown>[] }>(
      one.url,
      '/admin/stats?groupBy=virtualKey&interval=1h',
    );
    // The same buckets and numbers (the default `from`, a day before each replica's now, aside).
    expect(stats.json.data).toEqual(
      (await adminGet<typeof stats.json>(two.url, '/admin/stats?groupBy=virtualKey&interval=1h'))
        .json.data,
    );
    const byKey = Object.fromEntries(stats.json.data.map((row) => [row.group, row]));
    expect(byKey['team-a']).toMatchObject({ requests: 4, errors: 0 });
    expect(byKey['team-b']).toMatchObject({ requests: 3, errors: 1 });
    expect(byKey['team-a'].total_tokens as number).toBeGreaterThan(0);
    expect(byKey['team-a'].latency_p95_ms as number).toBeGreaterThanOrEqual(
      byKey['team-a'].latency_p50_ms as number,
    );

    const exported = await fetch(`${two.url}/admin/logs/export?format=ndjson`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const lines = (await exported.text()).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { request_id: string }).request_id)).toEqual([
      'pg-0',
      'pg-1',
      'pg-2',
      'pg-3',
      'pg-4',
      'pg-5',
      'pg-404',
    ]);

    const erased = await fetch(`${one.url}/admin/logs?virtualKey=team-b`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(await erased.json()).toEqual({ object: 'logs.deleted', deleted: 3 });
    expect((await logs(two.url, 'virtualKey=team-b')).data).toEqual([]);
  }, 30_000);

  /** The store's failed batches and dropped records on a gateway, by metric. */
  async function storeFailures(
    gateway: GatewayProcess,
  ): Promise<Record<string, number | undefined>> {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    return Object.fromEntries(
      ['batches_failed', 'dropped'].map((what) => [
        what,
        metricValue(metrics, `groq_gateway_request_logs_${what}_total`, { sink: 'store' }),
      ]),
    );
  }

  it('writes a record whose model holds a NUL (Postgres refuses one in text), and the records after it', async () => {
    const [one, two] = gateways;
    const failedBefore = await storeFailures(one);
    // The model the client asked for is recorded as it came, before it is checked.
    const nul = await call(one, KEY_A, 'groq/no\u0000such-model', 'pg-nul');
    expect(nul.status).toBeGreaterThanOrEqual(400);
    const after = await call(one, KEY_A, SMALL, 'pg-after-nul');
    expect(after.status).toBe(200);
    // Before, the batch holding the NUL failed (22021) and was retried for ever: nothing after it.
    const [record] = await waitForLogs(two.url, 1, 'q=pg-nul');
    expect(record).toMatchObject({ request_id: 'pg-nul', model_asked: 'groq/no\uFFFDsuch-model' });
    await waitForLogs(two.url, 1, 'q=pg-after-nul');
    // No failed batch since (one failed at start-up, while the store was not open yet).
    expect(await storeFailures(one)).toEqual(failedBefore);
    // A NUL in a query parameter is a 400 naming it, not the 503 of a query Postgres refuses.
    const query = await adminGet<{ error: { param: string; code: string } }>(
      one.url,
      '/admin/logs?q=pg%00nul',
    );
    expect(query.status).toBe(400);
    expect(query.json.error).toMatchObject({ param: 'q', code: 'invalid_query_parameter' });
    // So is a cursor with a NUL in its record id (the query's `id < $1` was refused: 503).
    const cursor = Buffer.from(`${Date.now()}:id\u0000`).toString('base64url');
    const paged = await adminGet<{ error: { param: string; code: string } }>(
      one.url,
      `/admin/logs?cursor=${cursor}`,
    );
    expect(paged.status).toBe(400);
    expect(paged.json.error).toMatchObject({ param: 'cursor', code: 'invalid_query_parameter' });
    expect((await adminGet(one.url, '/admin/logs/pg%00nul')).status).toBe(404);
  }, 30_000);

  it('drops a record the database refuses for good, alone and counted, and writes the calls around it and after it', async () => {
    const [one, two] = gateways;
    // The database refuses one call's record (a CHECK constraint: class 23, for good).
    const admin = new Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(
      "alter table request_logs add constraint refuse_one check (request_id <> 'pg-refused')",
    );
    try {
      const failedBefore = await storeFailures(one);
      // Ended together, so most likely one batch (LOGS_FLUSH_INTERVAL_MS=20); the store-level
      // spec (request-logs-refusals) makes sure of a refused record inside a batch.
      const together = await Promise.all(
        ['pg-beside-1', 'pg-refused', 'pg-beside-2'].map((id) => call(one, KEY_A, SMALL, id)),
      );
      expect(together.map((r) => r.status)).toEqual([200, 200, 200]);
      expect((await call(one, KEY_A, SMALL, 'pg-after-refused')).status).toBe(200);
      // Before, the batch holding the refused record was retried for ever: nothing after it.
      await waitForLogs(two.url, 1, 'q=pg-after-refused');
      expect((await logs(two.url, 'q=pg-beside')).data).toHaveLength(2);
      expect((await logs(two.url, 'q=pg-refused')).data).toEqual([]);
      const metrics = await (await fetch(`${one.url}/metrics`)).text();
      expect(
        metricValue(metrics, 'groq_gateway_request_logs_dropped_total', {
          sink: 'store',
          reason: 'refused',
        }),
      ).toBe(1);
      // Not a failing store: no failed batch.
      expect((await storeFailures(one)).batches_failed).toEqual(failedBefore.batches_failed);
      const warnings = one
        .output()
        .split('\n')
        .filter((line) => line.includes('refused the'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      // One warning (level 40), naming the request and the database's code and message.
      expect(warnings).toEqual([
        {
          ...warnings[0],
          level: 40,
          msg: 'request logs: store refused the record of request pg-refused (23514: new row for relation "request_logs" violates check constraint "refuse_one"); dropped it, the other records are written',
        },
      ]);
      // Postgres's detail repeats the row ("Failing row contains ..."): never logged.
      expect(one.output()).not.toContain('Failing row');
      expect(one.output()).not.toContain('hello pg-refused');
    } finally {
      await admin.query('alter table request_logs drop constraint refuse_one');
      await admin.end();
    }
  }, 30_000);
});
