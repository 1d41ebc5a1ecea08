import Database from 'better-sqlite3';
import { DatabaseError } from 'pg';
import { refusalOf } from './refusal';

/** An error as pg gives it: its SQLSTATE in `code`, the row in `detail`. */
function postgres(code: string, message: string, detail?: string): DatabaseError {
  const error = new DatabaseError(message, message.length, 'error');
  error.code = code;
  error.detail = detail;
  return error;
}

/** What better-sqlite3 throws for `sql` on a table with a NOT NULL column. */
function sqlite(sql: string, setUp = 'create table t (id text primary key, n integer not null)') {
  const database = new Database(':memory:');
  database.exec(setUp);
  try {
    database.exec(sql);
  } catch (error) {
    return error as Error & { code: string };
  } finally {
    database.close();
  }
  throw new Error(`${sql} did not fail`);
}

describe('refusalOf: a record the store refuses for good, or a failure to retry', () => {
  it('refuses Postgres data exceptions (22), integrity constraints (23) and a program limit (54000)', () => {
    expect(
      refusalOf(postgres('22003', 'value "2147483648" is out of range for type integer')),
    ).toEqual({ code: '22003', message: 'value "…" is out of range for type integer' });
    expect(refusalOf(postgres('22P02', 'invalid input syntax for type integer: "NaN"'))).toEqual({
      code: '22P02',
      message: 'invalid input syntax for type integer: "…"',
    });
    expect(
      refusalOf(postgres('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))?.code,
    ).toBe('22021');
    // The row Postgres puts in `detail` is never kept; the schema's names in the message are.
    expect(
      refusalOf(
        postgres(
          '23502',
          'null value in column "request_id" of relation "request_logs" violates not-null constraint',
          'Failing row contains (id-1, 1, 1796175527381, null, secret body)',
        ),
      ),
    ).toEqual({
      code: '23502',
      message:
        'null value in column "request_id" of relation "request_logs" violates not-null constraint',
    });
    // Names pg gives in its own fields (a constraint, an index) are kept too.
    const index = postgres(
      '54000',
      'index row size 8016 exceeds btree version 4 maximum 2704 for index "request_logs_request_id"',
    );
    index.constraint = 'request_logs_request_id';
    expect(refusalOf(index)?.message).toBe(index.message);
    const check = postgres(
      '23514',
      'new row for relation "request_logs" violates check constraint "tokens_sane"',
    );
    check.constraint = 'tokens_sane';
    expect(refusalOf(check)?.message).toBe(check.message);
  });

  it.each([
    ['08006', 'connection failure'],
    ['40001', 'could not serialize access due to concurrent update'],
    ['40P01', 'deadlock detected'],
    ['53100', 'could not extend file: No space left on device'],
    ['53300', 'sorry, too many clients already'],
    ['57014', 'canceling statement due to statement timeout'],
    ['57P01', 'terminating connection due to administrator command'],
    ['55P03', 'could not obtain lock on relation "request_logs"'],
    // Every record meets these alike: dropping each for it would drop them all.
    ['42P01', 'relation "request_logs" does not exist'],
    ['42501', 'permission denied for table request_logs'],
    ['54001', 'stack depth limit exceeded'],
    ['XX000', 'internal error'],
  ])('retries Postgres %s (%s)', (code, message) => {
    expect(refusalOf(postgres(code, message))).toBeUndefined();
  });

  it('retries errors that are not the database answering (no connection, a timeout)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(refusalOf(refused)).toBeUndefined();
    expect(refusalOf(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBeUndefined();
    expect(refusalOf(new Error('timeout exceeded when trying to connect'))).toBeUndefined();
    expect(refusalOf(new Error('the store is not open yet'))).toBeUndefined();
    expect(refusalOf('22003')).toBeUndefined();
  });

  it("refuses SQLite's constraint, mismatch and too-big errors, by code", () => {
    const notNull = sqlite("insert into t values ('a', null)");
    expect(refusalOf(notNull)).toEqual({
      code: 'SQLITE_CONSTRAINT_NOTNULL',
      message: 'NOT NULL constraint failed: t.n',
    });
    const check = sqlite(
      "insert into t values ('a', -1)",
      'create table t (id text primary key, n integer check (n >= 0))',
    );
    expect(refusalOf(check)?.code).toBe('SQLITE_CONSTRAINT_CHECK');
    const mismatch = sqlite(
      "insert into t values ('a')",
      'create table t (id integer primary key)',
    );
    expect(refusalOf(mismatch)?.code).toBe('SQLITE_MISMATCH');
    expect(refusalOf(sqlite('select zeroblob(2000000000)'))?.code).toBe('SQLITE_TOOBIG');
  });

  it('retries SQLite busy and locked', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(refusalOf(busy)).toBeUndefined();
    const locked = Object.assign(new Error('database table is locked'), { code: 'SQLITE_LOCKED' });
    expect(refusalOf(locked)).toBeUndefined();
    expect(
      refusalOf(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })),
    ).toBeUndefined();
  });

  it('needs a code: a message that reads like a refusal is not one', () => {
    for (const message of [
      'NOT NULL constraint failed: t.n',
      'datatype mismatch',
      'the SQLite thread exited (code 1)',
      'database is locked',
    ])
      expect(refusalOf(new Error(message))).toBeUndefined();
  });
});
