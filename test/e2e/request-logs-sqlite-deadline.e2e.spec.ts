import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { GatewayError } from '../../src/common/errors/gateway-error';
import type { GovernanceService } from '../../src/governance/governance.service';
import { RequestLogsApiService } from '../../src/request-logs/request-logs-api.service';
import type { RequestLogsService } from '../../src/request-logs/request-logs.service';
import { openSqlite } from '../../src/request-logs/store/connect';
import { LogStore } from '../../src/request-logs/store/log-store';
import { QueryTimeoutError } from '../../src/request-logs/store/query-timeout';
import { GroqEmulator } from '../emulator/emulator';
import { startGateway, type GatewayProcess } from './support/gateway-process';
import { ADMIN_KEY } from './support/governance-fixtures';
import {
  adminGet,
  sampleRecord,
  seedSqliteVolume,
  waitForLogs,
  type Page,
} from './support/request-logs';
import { GATEWAY_KEY } from './support/stack';

/**
 * The query API's deadline on the SQLite store, with the compiled worker (`npm run build` first)
 * as the gateway runs it: a real slow statement (a text search or stats over 200,000 records,
 * 0.3-1.5 s here) against a deadline of 50 ms.
 */
const WORKER = join(__dirname, '../../dist/request-logs/store/sqlite-thread.worker.js');
const DEADLINE_MS = 50;
const DAY_MS = 86_400_000;
const ROWS = 200_000;

describe('request logs: the SQLite reader thread under the query deadline', () => {
  let dir: string;
  const opened: LogStore[] = [];
  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'query-deadline-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** A store as the gateway opens it (reader and writer threads), holding ROWS records. */
  async function seededStore(workerScript = WORKER) {
    const connections = openSqlite(dir, { workerScript, queryTimeoutMs: DEADLINE_MS });
    const store = new LogStore(connections);
    opened.push(store);
    await store.migrate();
    const seededFromMs = Date.now() - ROWS * 100;
    seedSqliteVolume(dir, ROWS, seededFromMs, 100, 'a request body '.repeat(20));
    return { store, connections, db: connections.db, reads: connections.reads, seededFromMs };
  }

  /** How long `work` took to settle, and how. */
  async function timed<T>(work: Promise<T>) {
    const start = performance.now();
    const outcome = await work.then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    );
    return { ...outcome, ms: performance.now() - start };
  }

  it('stops a text search past its deadline, and answers the next query on a fresh reader thread', async () => {
    const { store } = await seededStore();
    const search = await timed(store.page({ filter: { q: 'in-no-record' }, limit: 10 }));
    expect(search.error).toBeInstanceOf(QueryTimeoutError);
    expect(search.error).toMatchObject({ kind: 'deadline' });
    // Answered at the deadline, not when the statement ended (the search alone takes 300+ ms).
    expect(search.ms).toBeLessThan(DEADLINE_MS + 150);

    const page = await store.page({ filter: {}, limit: 3 });
    expect(page.data.map((r) => r.request_id)).toEqual([
      `seed-${ROWS - 1}`,
      `seed-${ROWS - 2}`,
      `seed-${ROWS - 3}`,
    ]);
    expect(await store.byRequestId('seed-7')).toMatchObject({ request_id: 'seed-7' });
  });

  it('refuses at once while two abandoned threads still run their statements, then serves again', async () => {
    const { store, db, reads } = await seededStore();
    // Stats over every record: over a second each, so both threads are still busy below.
    for (const group of ['model', 'status'] as const) {
      const stats = await timed(store.stats({}, group, 60_000));
      expect(stats.error).toMatchObject({ kind: 'deadline' });
    }
    const refused = await timed(store.page({ filter: {}, limit: 1 }));
    expect(refused.error).toBeInstanceOf(QueryTimeoutError);
    expect(refused.error).toMatchObject({ kind: 'busy' });
    expect(refused.ms).toBeLessThan(20);
    // Statements without the deadline (migrations, counts) are never refused.
    expect(await store.count()).toBe(ROWS);
    // Nor is transaction control: a transaction of the query API's commits, or rolls back the
    // statement refused in it, leaving the shared connection outside BEGIN.
    expect(await reads.transaction().execute(async () => 'committed')).toBe('committed');
    const rolledBack = reads.transaction().execute((trx) => sql`select 1`.execute(trx));
    await expect(rolledBack).rejects.toMatchObject({ kind: 'busy' });
    const inOwn = await db
      .transaction()
      .execute((trx) => sql<{ n: number }>`select 1 as n`.execute(trx));
    expect(inOwn.rows).toEqual([{ n: 1 }]);

    // Once the abandoned threads have ended their statements (and exited), queries run again.
    let answered: Awaited<ReturnType<LogStore['page']>> | undefined;
    for (const start = Date.now(); !answered && Date.now() - start < 15_000;) {
      answered = await store.page({ filter: {}, limit: 1 }).catch(async (error: unknown) => {
        expect(error).toMatchObject({ kind: 'busy' });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    expect(answered?.data).toHaveLength(1);
  });

  it('never cuts the writes, erasure, retention or migrations: only the query API has the deadline', async () => {
    const { store, connections, db, reads, seededFromMs } = await seededStore();
    const now = Date.now();
    const batch = Array.from({ length: 20_000 }, (_, i) =>
      sampleRecord({ time: new Date(now - i).toISOString(), virtual_key_id: 'vk-erase' }),
    );
    const write = await timed(store.insert(batch));
    expect(write.error).toBeUndefined();
    expect(write.ms).toBeGreaterThan(DEADLINE_MS);
    const erase = await timed(store.erase({ virtualKey: 'vk-erase' }));
    expect(erase.value).toBe(20_000);
    expect(erase.ms).toBeGreaterThan(DEADLINE_MS);

    // The statement the query API's connection cuts runs to its end on the store's own (`db`:
    // migrations, counts, retention's window bounds), on the same reader thread. (A migration
    // already applied runs nothing: `migrate()` below proves little by itself.)
    const slowCount = sql<{
      n: number;
    }>`select count(*) as n from request_logs where lower(request_body) like '%in-no-record%'`;
    const cut = await timed(slowCount.execute(reads));
    expect(cut.error).toBeInstanceOf(QueryTimeoutError);
    const counted = await timed(slowCount.execute(db));
    expect(counted.error).toBeUndefined();
    expect(counted.value?.rows).toEqual([{ n: 0 }]);
    expect(counted.ms).toBeGreaterThan(DEADLINE_MS);

    // Retention over the oldest OLD seeded records in one window (the store's windows are 5,000
    // rows): the SELECT finding its bound walks OLD rows of the time index through `db`, the
    // DELETE runs on the writer thread.
    const OLD = 100_000;
    const retention = await timed(
      new LogStore(connections, OLD).applyRetention(
        { days: 1, byVirtualKey: {}, byTeam: {} },
        seededFromMs + OLD * 100 + DAY_MS,
      ),
    );
    expect(retention.error).toBeUndefined();
    expect(retention.value).toBe(OLD);
    expect(retention.ms).toBeGreaterThan(DEADLINE_MS);

    await store.migrate();
    expect(await store.count()).toBe(ROWS - OLD);
    expect(await store.byRequestId(`seed-${OLD - 1}`)).toBeUndefined();
    expect(await store.byRequestId(`seed-${OLD}`)).toMatchObject({ request_id: `seed-${OLD}` });
  });

  it('fails a transaction whose thread was replaced, and frees the connection for the next query', async () => {
    const { reads } = await seededStore();
    const slowCount = sql`select count(*) as n from request_logs where lower(request_body) like '%in-no-record%'`;
    let afterReplacement: unknown;
    const transaction = reads.transaction().execute(async (trx) => {
      await slowCount.execute(trx).catch(() => undefined);
      // The thread this transaction began on is gone: this must not run on the new one.
      afterReplacement = await sql`delete from request_logs where request_id = 'seed-1'`
        .execute(trx)
        .catch((error: unknown) => error);
      throw afterReplacement;
    });
    await expect(transaction).rejects.toThrow(/transaction was replaced; it was rolled back/);
    // The connection was released: the next statement runs, on the new thread.
    const row = await sql<{ n: number }>`select count(*) as n from request_logs`.execute(reads);
    expect(row.rows[0].n).toBe(ROWS);
    const timedOut = reads
      .transaction()
      .execute((trx) => slowCount.execute(trx))
      .catch((error: unknown) => error);
    // The timeout itself, not a failed rollback's error on the new thread, reaches the caller.
    expect(await timedOut).toBeInstanceOf(QueryTimeoutError);
  });

  it('answers a query on a reader thread that died with a clean 503, and the next on a new thread', async () => {
    // The real worker, made to exit when a statement searches for "die-now" (as a crash would).
    const dying = join(dir, 'dying-reader.js');
    writeFileSync(
      dying,
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (request) => {
         if (request.statement && request.statement.parameters.includes('%die-now%')) process.exit(9);
       });
       require(${JSON.stringify(WORKER)});`,
    );
    const { store } = await seededStore(dying);
    // The writer thread has the file open too, as in the gateway (else the dying reader, the last
    // connection, checkpoints the seed's WAL as it exits: seconds, past the deadline).
    await store.insert([sampleRecord({ request_id: 'written-first' })]);
    const logs = {
      storeConfigured: true,
      store,
      storeReady: true,
    } as unknown as RequestLogsService;
    const api = new RequestLogsApiService(logs, {} as GovernanceService);

    const failure: unknown = await api.list({ q: 'die-now' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GatewayError);
    expect((failure as GatewayError).status).toBe(503);
    expect((failure as GatewayError).toEnvelope()).toEqual({
      error: {
        message: 'The request log store is unavailable; retry shortly.',
        type: 'api_error',
        code: 'logs_store_unavailable',
        param: null,
      },
    });
    const page = await api.list({ limit: '2' });
    expect(page.data.map((r) => r.request_id)).toEqual(['written-first', `seed-${ROWS - 1}`]);
  });
});

describe('request logs: LOGS_QUERY_TIMEOUT_MS through the gateway (SQLite)', () => {
  let emulator: GroqEmulator;
  let gateway: GatewayProcess;
  const dir = mkdtempSync(join(tmpdir(), 'gateway-deadline-'));

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    const env = {
      GROQ_BASE_URL: await emulator.start(),
      GROQ_API_KEY: GATEWAY_KEY,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      DATA_DIR: dir,
      LOGS_QUERY_TIMEOUT_MS: String(DEADLINE_MS),
    };
    // The gateway makes the schema; the records are then written straight into the file.
    const first = await startGateway(env);
    await waitForLogs(first.url, 0);
    await first.stop();
    seedSqliteVolume(dir, ROWS, Date.now() - ROWS * 100, 100, 'a request body '.repeat(20));
    gateway = await startGateway(env);
    await waitForLogs(gateway.url, 1, 'limit=1');
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string) => adminGet<{ error?: Record<string, unknown> }>(gateway.url, path);
  /** The first answer that is not "earlier slow queries are still finishing" (retry-after 5). */
  async function whenNotBusy(path: string) {
    for (const start = Date.now(); ;) {
      const answer = await get(path);
      const busy =
        answer.status === 503 && /still finishing/.test(String(answer.json.error?.message));
      if (!busy || Date.now() - start > 15_000) return answer;
      expect(answer.headers.get('retry-after')).toBe('5');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const TIMED_OUT = {
    error: {
      message: expect.stringMatching(/ran past its deadline.*Narrow the time range/s),
      type: 'api_error',
      code: 'query_timeout',
      param: null,
    },
  };

  it('answers a text search past the deadline with 503 query_timeout, then the next query', async () => {
    const search = await whenNotBusy('/admin/logs?q=in-no-record');
    expect(search.status).toBe(503);
    expect(search.json).toEqual(TIMED_OUT);
    const page = await whenNotBusy('/admin/logs?limit=3');
    expect(page.status).toBe(200);
    expect((page.json as unknown as Page).data.map((r) => r.request_id)).toEqual([
      `seed-${ROWS - 1}`,
      `seed-${ROWS - 2}`,
      `seed-${ROWS - 3}`,
    ]);
  });

  it('answers stats and an export whose first page runs past the deadline with the same 503', async () => {
    const stats = await whenNotBusy('/admin/stats?groupBy=model');
    expect(stats.status).toBe(503);
    expect(stats.json).toEqual(TIMED_OUT);
    const exported = await whenNotBusy('/admin/logs/export?format=ndjson&q=in-no-record');
    expect(exported.status).toBe(503);
    expect(exported.headers.get('content-type')).toMatch(/^application\/json/);
    expect(exported.json).toEqual(TIMED_OUT);
    // Two threads are still running those statements: the next query is refused at once.
    const refused = await get('/admin/logs?limit=1');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.json.error).toMatchObject({ code: 'query_timeout', type: 'api_error' });
    const record = await whenNotBusy('/admin/logs/seed-42');
    expect(record.status).toBe(200);
    expect(record.json).toMatchObject({ request_id: 'seed-42' });
    // Logged as a warning (pino level 40), not as a failed store, and never with a stack.
    expect(gateway.output()).toMatch(/"level":40.*query stopped: the statement ran past 50 ms/);
    expect(gateway.output()).not.toMatch(/query failed|\n\s+at /);
  });
});
