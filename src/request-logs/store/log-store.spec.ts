import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRetentionScenario, sampleRecord } from '../../../test/e2e/support/request-logs';
import { Kysely, sql } from 'kysely';
import { openSqlite } from './connect';
import { LogStore } from './log-store';
import type { LogsDatabase } from './schema';
import type { LogRecord } from '../log-record';

describe('the SQLite log store on disk', () => {
  let dir: string;
  let store: LogStore;
  let kysely: Kysely<LogsDatabase>;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'log-store-spec-'));
    const connections = openSqlite(dir);
    kysely = connections.db;
    store = new LogStore(connections);
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a batch larger than SQLite binds in one statement, and skips ids already stored', async () => {
    const start = Date.now() - 10_000;
    const records = Array.from({ length: 2_500 }, (_, i) =>
      sampleRecord({
        time: new Date(start + i).toISOString(),
        guardrails: [{ policy: 'pii', stage: 'input', outcome: 'pass' }],
        stream: i % 2 === 0,
        team_id: 'finance',
      }),
    );
    await store.insert(records);
    // A retried batch: the same records again, and one new one.
    const extra = sampleRecord();
    await store.insert([...records.slice(0, 10), extra]);
    expect(await store.count()).toBe(2_501);
    const back = await store.byRequestId(records[1].request_id);
    expect(back).toEqual(records[1]);
  });

  it('keeps an index for each filter that can use one, the mostly-empty ones partial', async () => {
    const indexes = await sql<{ name: string; sql: string }>`
      select name, sql from sqlite_master
      where type = 'index' and tbl_name = 'request_logs' and sql is not null
      order by name`.execute(kysely);
    expect(indexes.rows.map((row) => row.name)).toEqual([
      'request_logs_error_code',
      'request_logs_key',
      'request_logs_request_id',
      'request_logs_status',
      'request_logs_team',
      'request_logs_time',
      'request_logs_virtual_key',
    ]);
    const partial = indexes.rows.filter((row) => /where/i.test(row.sql)).map((row) => row.name);
    expect(partial).toEqual([
      'request_logs_error_code',
      'request_logs_team',
      'request_logs_virtual_key',
    ]);
    // The query API's filters still search by their index (a `= value` implies NOT NULL).
    const plan = async (where: string) => {
      const rows = await sql<{ detail: string }>`explain query plan
        select * from request_logs where ${sql.raw(where)} order by time_ms desc, id desc limit 51`.execute(
        kysely,
      );
      return rows.rows.map((row) => row.detail).join(' | ');
    };
    expect(await plan(`error_code = 'upstream_error'`)).toContain(
      'USING INDEX request_logs_error_code',
    );
    expect(await plan(`virtual_key_id = 'vk_1'`)).toContain('USING INDEX request_logs_virtual_key');
    expect(await plan(`team_id in ('a', 'b')`)).toContain('USING INDEX request_logs_team');
    expect(await plan(`request_id = 'r'`)).toContain('USING INDEX request_logs_request_id');
    expect(await plan('1 = 1')).toContain('USING INDEX request_logs_time');
  });
});

describe('retention in windows of the time index', () => {
  const DAY = 86_400_000;
  let dir: string;
  let store: LogStore;
  let statements: jest.SpyInstance;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'log-store-retention-'));
    const connections = openSqlite(dir, { inThread: true });
    store = new LogStore(connections, 3);
    await store.migrate();
    statements = jest.spyOn(connections.writer!, 'execute');
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (ms: number, overrides: Partial<LogRecord> = {}) =>
    sampleRecord({ time: new Date(ms).toISOString(), ...overrides });

  it('deletes what outlived each retention and keeps, row for row, what a longer one keeps', async () => {
    await expectRetentionScenario(store);
  });

  it('walks the rows once, in windows of the chunk size, not from the oldest again each time', async () => {
    const now = Date.now();
    const old = now - 40 * DAY;
    // 10 old rows a key keeps, then 4 that go: found by LIMIT from the oldest, every chunk would
    // walk the 10 kept ones again. Windows end before the 3rd row's millisecond: 2 rows each.
    await store.insert([
      ...Array.from({ length: 10 }, (_, i) => at(old + i, { virtual_key_id: 'vk-long' })),
      ...Array.from({ length: 4 }, (_, i) => at(old + 10 + i)),
    ]);
    statements.mockClear();
    const policy = { days: 30, byVirtualKey: { 'vk-long': 90 }, byTeam: {} };
    expect(await store.applyRetention(policy, now)).toBe(4);
    const windows = statements.mock.calls
      .map((call) => String(call[0]))
      .filter((text) => !/"virtual_key_id" = /.test(text));
    expect(windows).toHaveLength(7);
    // Each window after the first starts where the one before ended.
    expect(windows.slice(1).every((text) => /"time_ms" >= \?/.test(text))).toBe(true);
    expect(await store.count()).toBe(10);
  });

  it('stops at the cutoff when the last millisecond before it is a crowded one', async () => {
    const now = Date.now();
    const cutoff = now - 30 * DAY;
    const newer = Array.from({ length: 2 }, () => at(cutoff));
    await store.insert([...Array.from({ length: 4 }, () => at(cutoff - 1)), ...newer]);
    const retention = { days: 30, byVirtualKey: {}, byTeam: {} };
    expect(await store.applyRetention(retention, now)).toBe(4);
    const left = await store.page({ filter: {}, limit: 10 });
    expect(left.data.map((r) => r.id).sort()).toEqual(newer.map((r) => r.id).sort());
  });

  it('deletes a millisecond holding more rows than a chunk in chunks, every row of it', async () => {
    const old = Date.now() - 40 * DAY;
    await store.insert([
      ...Array.from({ length: 8 }, () => at(old)),
      ...Array.from({ length: 2 }, (_, i) => at(old + 1 + i)),
    ]);
    statements.mockClear();
    const retention = { days: 30, byVirtualKey: {}, byTeam: {} };
    expect(await store.applyRetention(retention, Date.now())).toBe(10);
    expect(await store.count()).toBe(0);
    const changed = await Promise.all(
      statements.mock.results.map((result) => result.value as Promise<number>),
    );
    expect(Math.max(...changed)).toBeLessThanOrEqual(3);
  });
});
