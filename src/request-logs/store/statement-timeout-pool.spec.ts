import type { Pool, PoolClient } from 'pg';
import { statementTimeoutPool } from './statement-timeout-pool';

/** A pg client that records what it is sent and fails the statements `failing` names. */
function fakeClient(failing: RegExp[] = []) {
  const sent: string[] = [];
  const released: (boolean | undefined)[] = [];
  const client = {
    query: (sql: string) => {
      sent.push(sql);
      if (failing.some((pattern) => pattern.test(sql)))
        return Promise.reject(new Error(`failed: ${sql}`));
      return Promise.resolve({ command: 'SELECT', rowCount: 1, rows: [{ sql }] });
    },
    release: (destroy?: boolean) => released.push(destroy),
  };
  const pool = { connect: () => Promise.resolve(client), end: () => Promise.resolve() };
  return { sent, released, pool: pool as unknown as Pool, client: client as unknown as PoolClient };
}

describe('statementTimeoutPool', () => {
  it('runs a statement of its own in a transaction that sets statement_timeout first', async () => {
    const fake = fakeClient();
    const client = await statementTimeoutPool(fake.pool, 50).connect();
    const result = await client.query<{ sql: string }>('select 1', []);
    expect(result.rows[0].sql).toBe('select 1');
    expect(fake.sent).toEqual(['begin; set local statement_timeout = 50', 'select 1', 'commit']);
    client.release();
    expect(fake.released).toEqual([false]);
  });

  it('sets it once inside a transaction Kysely begins, and leaves that transaction to Kysely', async () => {
    const fake = fakeClient();
    const client = await statementTimeoutPool(fake.pool, 0).connect();
    await client.query('begin', []);
    await client.query('insert into t values ($1)', [1]);
    await client.query('insert into t values ($1)', [2]);
    await client.query('commit', []);
    await client.query('select 1', []);
    expect(fake.sent).toEqual([
      'begin',
      'set local statement_timeout = 0',
      'insert into t values ($1)',
      'insert into t values ($1)',
      'commit',
      'begin; set local statement_timeout = 0',
      'select 1',
      'commit',
    ]);
  });

  it('rolls a failed statement back, and destroys the connection when even that fails', async () => {
    const fake = fakeClient([/^select slow/]);
    const client = await statementTimeoutPool(fake.pool, 50).connect();
    await expect(client.query('select slow', [])).rejects.toThrow('failed: select slow');
    expect(fake.sent.at(-1)).toBe('rollback');
    client.release();
    expect(fake.released).toEqual([false]);

    const dead = fakeClient([/^select slow/, /^rollback/]);
    const other = await statementTimeoutPool(dead.pool, 50).connect();
    await expect(other.query('select slow', [])).rejects.toThrow('failed: select slow');
    other.release();
    expect(dead.released).toEqual([true]);
  });

  it('never pools a connection whose transaction began but whose setting failed', async () => {
    const fake = fakeClient([/^set local/]);
    const client = await statementTimeoutPool(fake.pool, 0).connect();
    await expect(client.query('begin', [])).rejects.toThrow('failed: set local');
    client.release();
    expect(fake.released).toEqual([true]);

    // Its own transaction: rolled back whether the statement or the setting failed.
    const own = fakeClient([/set local/]);
    const other = await statementTimeoutPool(own.pool, 0).connect();
    await expect(other.query('select 1', [])).rejects.toThrow('failed: begin; set local');
    expect(own.sent).toEqual(['begin; set local statement_timeout = 0', 'rollback']);
  });

  it('takes only a whole number of milliseconds (it is written into the SQL)', () => {
    const { pool } = fakeClient();
    expect(() => statementTimeoutPool(pool, 1.5)).toThrow(/whole number/);
    expect(() => statementTimeoutPool(pool, -1)).toThrow(/whole number/);
  });
});
