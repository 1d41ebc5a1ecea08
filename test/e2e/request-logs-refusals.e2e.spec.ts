import type { Logger } from '@nestjs/common';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { createPipeline } from '../../src/request-logs/log-pipeline';
import type { LogRecord } from '../../src/request-logs/log-record';
import { RequestLogsMetrics } from '../../src/request-logs/request-logs-metrics';
import { openPostgres, openSqlite } from '../../src/request-logs/store/connect';
import { LogStore } from '../../src/request-logs/store/log-store';
import { refusalOf } from '../../src/request-logs/store/refusal';
import { startPostgres, type PostgresServer } from './support/postgres-server';
import { metricValue, sampleRecord } from './support/request-logs';

/** The compiled writer thread, as the built gateway runs it (`npm run build` first). */
const WORKER = join(__dirname, '../../dist/request-logs/store/sqlite-thread.worker.js');

const BATCH = 50;
/** Text of the refused record that must never reach the log. */
const SECRET = 'secret-body-of-the-refused-record';

/**
 * The store's pipeline as the gateway runs it (createPipeline with `refusalOf`: the queue retries
 * for ever, a refused record is dropped alone) over a real store: a batch of 50 with one record
 * the database refuses, then 30 more. Every other record is stored, the refused one is counted
 * (`reason="refused"`) and logged once by request id and the database's code, without its text.
 */
async function expectRefusedAlone(store: LogStore, refused: Partial<LogRecord>, code: RegExp) {
  const registry = new Registry();
  const metrics = new RequestLogsMetrics(registry);
  const warnings: string[] = [];
  const logger = {
    warn: (line: string) => warnings.push(line),
    error: (line: string) => warnings.push(line),
    log: () => undefined,
  } as unknown as Logger;
  const queue = createPipeline(
    {
      sink: 'store',
      capacity: 1_000,
      batchSize: BATCH,
      flushIntervalMs: 20,
      maxAttempts: Number.POSITIVE_INFINITY,
      retryBaseDelayMs: 50,
      write: (batch) => store.insert(batch),
      refusal: refusalOf,
    },
    metrics,
    logger,
  );
  const start = Date.now() - 60_000;
  const record = (i: number, overrides: Partial<LogRecord> = {}) =>
    sampleRecord({ time: new Date(start + i).toISOString(), request_id: `req-${i}`, ...overrides });
  const bad = record(17, { request_id: 'req-refused', request_body: SECRET, ...refused });
  const first = Array.from({ length: BATCH }, (_, i) => (i === 17 ? bad : record(i)));
  const later = Array.from({ length: 30 }, (_, i) => record(BATCH + i));
  // The first batch is written as one (it fills a batch); the later records queue behind it.
  for (const r of first) expect(queue.push(r)).toBe(true);
  for (const r of later) expect(queue.push(r)).toBe(true);
  expect(await queue.drain(Date.now() + 20_000)).toBe(0);

  const stored = new Set<string>();
  for await (const page of store.scan({})) for (const r of page) stored.add(r.request_id);
  const expected = [...first, ...later].filter((r) => r !== bad).map((r) => r.request_id);
  expect([...stored].sort()).toEqual(expected.sort());
  expect(stored.has('req-refused')).toBe(false);

  const text = await registry.metrics();
  const dropped = (reason: string) =>
    metricValue(text, 'groq_gateway_request_logs_dropped_total', { sink: 'store', reason });
  expect(dropped('refused')).toBe(1);
  expect(dropped('queue_full')).toBe(0);
  expect(metricValue(text, 'groq_gateway_request_logs_written_total', { sink: 'store' })).toBe(79);
  // A refusal is not the store failing: no failed batch, no alert.
  expect(
    metricValue(text, 'groq_gateway_request_logs_batches_failed_total', { sink: 'store' }),
  ).toBe(0);
  expect(queue.failing).toBeUndefined();
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toContain('store refused the record of request req-refused (');
  expect(warnings[0]).toMatch(code);
  expect(warnings[0]).not.toContain(SECRET);
  expect(warnings[0]).not.toContain('Failing row');
  return warnings[0];
}

describe('request logs: a record the store refuses for good is dropped alone', () => {
  const closing: LogStore[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((s) => s.close()));
  });

  describe('SQLite', () => {
    let dir: string;
    beforeAll(() => {
      if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first`);
    });
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'logs-refusal-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    // SQLite binds NaN as NULL: latency_ms is NOT NULL, so the record is refused (a clock bug
    // would make one).
    it.each(['writer thread', 'in-thread'])(
      'refuses a NaN in a NOT NULL column; the rest of its batch and every later record are stored (%s)',
      async (how) => {
        const store = new LogStore(
          how === 'in-thread'
            ? openSqlite(dir, { inThread: true })
            : openSqlite(dir, { workerScript: WORKER }),
        );
        closing.push(store);
        await store.migrate();
        const warning = await expectRefusedAlone(
          store,
          { latency_ms: Number.NaN },
          /SQLITE_CONSTRAINT_NOTNULL: NOT NULL constraint failed: request_logs\.latency_ms\)/,
        );
        expect(warning).toContain('dropped it, the other records are written');
      },
    );
  });

  describe('PostgreSQL', () => {
    let postgres: PostgresServer;
    beforeAll(async () => {
      postgres = await startPostgres();
    }, 60_000);
    afterAll(async () => {
      await Promise.all(closing.splice(0).map((s) => s.close()));
      await postgres?.stop();
    });

    /** A store on a database of its own on the server, so each test starts empty. */
    async function storeIn(name: string): Promise<LogStore> {
      const admin = new Client({ connectionString: postgres.url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const store = new LogStore(openPostgres(postgres.url.replace(/\/gateway$/, `/${name}`)));
      closing.push(store);
      await store.migrate();
      return store;
    }

    it('refuses a token count out of range for its integer column (22003); the rest is stored', async () => {
      await expectRefusedAlone(
        await storeIn('out_of_range'),
        { prompt_tokens: 2 ** 31 },
        // The value itself is the record's: never logged.
        /\(22003: value "…" is out of range for type integer\)/,
      );
    });

    // toLogRecord replaces a NUL and the row mapping no longer does: a record built elsewhere
    // that holds one is refused on its own, no longer holding up the queue as it once did.
    it('refuses a NUL in text (22021), which once held up every later record', async () => {
      await expectRefusedAlone(
        await storeIn('nul'),
        { model_asked: 'groq/llama\u0000' },
        /\(22021: invalid byte sequence for encoding "…": 0x00\)/,
      );
    });
  });
});
