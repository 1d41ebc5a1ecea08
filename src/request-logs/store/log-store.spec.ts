import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleRecord } from '../../../test/e2e/support/request-logs';
import { openSqlite } from './connect';
import { LogStore } from './log-store';

describe('the SQLite log store on disk', () => {
  let dir: string;
  let store: LogStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'log-store-spec-'));
    const { db, writeRows } = openSqlite(dir);
    store = new LogStore(db, writeRows);
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
});
