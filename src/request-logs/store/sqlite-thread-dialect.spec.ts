import { Kysely, sql } from 'kysely';
import { QueryTimeoutError } from './query-timeout';
import type { SqliteThread, StatementOptions, StatementResult } from './sqlite-thread';
import { sqliteThreadDialects } from './sqlite-thread-dialect';

/**
 * A SqliteThread as it is while 2 abandoned threads still run: every statement given the
 * deadline is refused at once (`busy`); the others run.
 */
class RefusingThread {
  readonly current = 1;
  readonly sent: { sql: string; deadlineMs?: number; onThread?: number }[] = [];

  async query(
    text: string,
    _parameters: readonly unknown[],
    options: StatementOptions = {},
  ): Promise<StatementResult> {
    this.sent.push({ sql: text, deadlineMs: options.deadlineMs, onThread: options.onThread });
    if (options.deadlineMs !== undefined)
      throw new QueryTimeoutError('busy', '2 SQLite threads are still running statements');
    return { rows: [] };
  }

  async close(): Promise<void> {}
}

describe('the SQLite thread dialects: transaction control', () => {
  function reads(thread: RefusingThread) {
    const dialects = sqliteThreadDialects(thread as unknown as SqliteThread, 50);
    return new Kysely<unknown>({ dialect: dialects.reads });
  }

  it('never gives begin, commit or rollback the deadline: a refused statement is rolled back', async () => {
    const thread = new RefusingThread();
    const transaction = reads(thread)
      .transaction()
      .execute((trx) => sql`select 1`.execute(trx));
    await expect(transaction).rejects.toMatchObject({ kind: 'busy' });
    expect(thread.sent).toEqual([
      { sql: 'begin', deadlineMs: undefined, onThread: undefined },
      { sql: 'select 1', deadlineMs: 50, onThread: 1 },
      // Refused, it would leave the shared connection inside BEGIN.
      { sql: 'rollback', deadlineMs: undefined, onThread: 1 },
    ]);
  });

  it('commits while statements with the deadline are refused', async () => {
    const thread = new RefusingThread();
    expect(
      await reads(thread)
        .transaction()
        .execute(async () => 'committed'),
    ).toBe('committed');
    expect(thread.sent).toEqual([
      { sql: 'begin', deadlineMs: undefined, onThread: undefined },
      { sql: 'commit', deadlineMs: undefined, onThread: 1 },
    ]);
  });
});
