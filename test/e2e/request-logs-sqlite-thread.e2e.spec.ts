import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStore } from '../../src/request-logs/store/log-store';
import { openSqlite } from '../../src/request-logs/store/connect';
import { openSqliteDatabase } from '../../src/request-logs/store/sqlite-database';
import { inThreadWriter } from '../../src/request-logs/store/sqlite-rows';
import { SqliteThread } from '../../src/request-logs/store/sqlite-thread';
import { sampleRecord } from './support/request-logs';

/**
 * The SQLite store's writer thread, as the built gateway runs it (the compiled worker in dist/;
 * `npm test` builds first). The gateway's own e2e suites write through it too.
 */
const WORKER = join(__dirname, '../../dist/request-logs/store/sqlite-thread.worker.js');

function records(count: number, start = Date.now() - 60_000) {
  return Array.from({ length: count }, (_, i) =>
    sampleRecord({
      time: new Date(start + i).toISOString(),
      guardrails: i % 3 === 0 ? [{ policy: 'pii', stage: 'input', outcome: 'pass' }] : null,
      stream: i % 2 === 0,
    }),
  );
}

/** setImmediate turns the event loop completes while `work` is pending. */
async function loopTurnsDuring(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const tick = () => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  await work;
  done = true;
  return turns;
}

describe("request logs: the SQLite store's threads", () => {
  let dir: string;
  const opened: LogStore[] = [];
  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first`);
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'writer-thread-'));
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function storeWith(
    writer: 'thread' | 'in-thread',
    deleteChunk?: number,
  ): Promise<LogStore> {
    const { db } = openSqlite(dir, { inThread: true });
    const file = join(dir, 'requests.sqlite');
    const store = new LogStore(
      {
        db,
        reads: db,
        writer:
          writer === 'thread'
            ? new SqliteThread(file, WORKER)
            : inThreadWriter(openSqliteDatabase(file)),
      },
      deleteChunk,
    );
    opened.push(store);
    await store.migrate();
    return store;
  }

  it('writes batches off the event loop; the query connection reads them back; a retried batch adds nothing', async () => {
    const store = await storeWith('thread');
    const batch = records(2_000);
    await store.insert(batch);
    await store.insert([...batch.slice(0, 5), ...records(1, Date.now())]);
    expect(await store.count()).toBe(2_001);
    const stored = await store.byRequestId(batch[0].request_id);
    expect(stored).toEqual(batch[0]);
  });

  it('keeps the event loop turning while a batch is written (in-thread writing holds it)', async () => {
    const thread = await storeWith('thread');
    const turnsThreaded = await loopTurnsDuring(thread.insert(records(20_000)));
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'writer-thread-'));
    const inThread = await storeWith('in-thread');
    const turnsInThread = await loopTurnsDuring(inThread.insert(records(20_000)));
    expect(await thread.count()).toBe(20_000);
    expect(await inThread.count()).toBe(20_000);
    expect(turnsInThread).toBe(0);
    expect(turnsThreaded).toBeGreaterThan(10);
  });

  it('answers a failed write with SQLite’s reason, and writes again once it can', async () => {
    const { db } = openSqlite(dir, { inThread: true });
    const store = new LogStore({
      db,
      reads: db,
      writer: new SqliteThread(join(dir, 'requests.sqlite'), WORKER),
    });
    opened.push(store);
    // No schema yet: the thread's INSERT fails, and says why.
    await expect(store.insert(records(3))).rejects.toThrow(/no such table: request_logs/);
    await store.migrate();
    await store.insert(records(3));
    expect(await store.count()).toBe(3);
  });

  it('fails the batches on a thread that died, and starts a new thread for the next write', async () => {
    const dying = join(dir, 'dying-worker.js');
    writeFileSync(
      dying,
      `require('node:worker_threads').parentPort.on('message', () => process.exit(3));`,
    );
    const writer = new SqliteThread(join(dir, 'requests.sqlite'), dying);
    await expect(writer.write(records(2))).rejects.toThrow(/exited \(code 3\)/);
    await expect(writer.write(records(2))).rejects.toThrow(/exited \(code 3\)/);
    await writer.close();
  });

  it('close writes what was handed over before it, then ends the thread', async () => {
    const store = await storeWith('thread');
    const pending = [store.insert(records(1_000)), store.insert(records(1_000, Date.now()))];
    await (store as unknown as { writer: SqliteThread }).writer.close();
    await Promise.all(pending);
    const reader = openSqliteDatabase(join(dir, 'requests.sqlite'));
    const row = reader.prepare('SELECT count(*) AS n FROM request_logs').get() as { n: number };
    reader.close();
    expect(row.n).toBe(2_000);
  });

  it('erases and applies retention on the writer thread, a chunk at a time, counting every row', async () => {
    const store = await storeWith('thread', 3);
    const old = Date.now() - 40 * 86_400_000;
    await store.insert([
      ...records(10, old).map((r, i) => ({ ...r, virtual_key_id: i < 7 ? 'vk-gone' : 'vk-kept' })),
      ...records(5),
    ]);
    const statements = jest.spyOn(SqliteThread.prototype, 'execute');
    // 7 in chunks of 3 (3, 3, 1, then one that finds none): all of them, nothing else.
    expect(await store.erase({ virtualKey: 'vk-gone' })).toBe(7);
    expect(statements.mock.calls).toHaveLength(4);
    expect(await store.count()).toBe(8);
    // The 3 left of the old ones outlived 30 days; the 5 new ones stay.
    statements.mockClear();
    const retention = { days: 30, byVirtualKey: {}, byTeam: {} };
    expect(await store.applyRetention(retention, Date.now())).toBe(3);
    expect(statements.mock.calls).toHaveLength(2);
    expect(await store.count()).toBe(5);
    statements.mockRestore();
  });

  it('keeps the event loop turning while retention deletes many records', async () => {
    const store = await storeWith('thread');
    await store.insert(records(30_000, Date.now() - 40 * 86_400_000));
    const retention = store.applyRetention({ days: 30, byVirtualKey: {}, byTeam: {} }, Date.now());
    const turns = await loopTurnsDuring(retention);
    expect(await retention).toBe(30_000);
    expect(turns).toBeGreaterThan(10);
  });

  /** A store as the built gateway opens it: queries on one thread, writes on another. */
  async function threadedStore(): Promise<LogStore> {
    const store = new LogStore(openSqlite(dir, { workerScript: WORKER }));
    opened.push(store);
    await store.migrate();
    return store;
  }

  it('answers the query API from its reader thread exactly as the in-thread connection does', async () => {
    const threaded = await threadedStore();
    const batch = records(3_000).map((r, i) => ({
      ...r,
      status: i % 10 === 0 ? 429 : 200,
      key_id: `key-${i % 3}`,
    }));
    await threaded.insert(batch);
    const direct = new LogStore(openSqlite(dir, { inThread: true }));
    opened.push(direct);
    const filter = { keyId: 'key-1' };
    expect(await threaded.count()).toBe(3_000);
    const page = await threaded.page({ filter, limit: 25 });
    expect(page).toEqual(await direct.page({ filter, limit: 25 }));
    expect(page.data).toHaveLength(25);
    expect(await threaded.byRequestId(batch[7].request_id)).toEqual(batch[7]);
    const stats = await threaded.stats({}, 'status', 60_000);
    expect(stats).toEqual(await direct.stats({}, 'status', 60_000));
    expect(stats.length).toBeGreaterThan(0);
  });

  it('keeps the event loop turning through a long stats query (on the event loop it holds it)', async () => {
    const threaded = await threadedStore();
    await threaded.insert(records(60_000));
    const turnsThreaded = await loopTurnsDuring(threaded.stats({}, 'status', 60_000));
    const direct = new LogStore(openSqlite(dir, { inThread: true }));
    opened.push(direct);
    const turnsInThread = await loopTurnsDuring(direct.stats({}, 'status', 60_000));
    expect(turnsInThread).toBeLessThanOrEqual(1);
    expect(turnsThreaded).toBeGreaterThan(10);
  });
});
