import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryFailure } from '../query-errors';
import { QueryTimeoutError } from './query-timeout';
import { SqliteThread } from './sqlite-thread';

// The module the class makes its threads with, so a spec can make `new Worker()` fail.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const threads = require('node:worker_threads') as typeof import('node:worker_threads');

/**
 * SqliteThread's own bookkeeping, on a stand-in worker speaking its protocol (no SQLite): a
 * statement `slow` is never answered, any other is answered at once with its SQL.
 */
const STAND_IN = `
const { parentPort } = require('node:worker_threads');
parentPort.postMessage({ seq: 0, ready: true });
parentPort.on('message', (request) => {
  if (request.close) {
    parentPort.postMessage({ seq: request.seq });
    parentPort.close();
    return;
  }
  if (request.statement.sql === 'slow') return;
  parentPort.postMessage({ seq: request.seq, rows: [{ sql: request.statement.sql }] });
});
`;

describe('SqliteThread when a thread cannot be started', () => {
  let dir: string;
  let script: string;
  const threadsMade: SqliteThread[] = [];
  const RealWorker = threads.Worker;
  /** `new Worker()` throws as Node's does when it cannot make a thread (EAGAIN). */
  const failToStart = () =>
    jest.spyOn(threads, 'Worker').mockImplementation(() => {
      throw Object.assign(new Error('Worker initialization failure: 11'), {
        code: 'ERR_WORKER_INIT_FAILED',
      });
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-thread-'));
    script = join(dir, 'stand-in.js');
    writeFileSync(script, STAND_IN);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(threadsMade.splice(0).map((thread) => thread.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  function made(): SqliteThread {
    const thread = new SqliteThread(join(dir, 'unused.sqlite'), script);
    threadsMade.push(thread);
    return thread;
  }

  it('fails the statement that needed it (a 503 store unavailable), and the next one starts it', async () => {
    const thread = made();
    failToStart();
    const failure: unknown = await thread.query('select 1', []).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
      'the SQLite thread could not start: Worker initialization failure: 11',
    );
    expect(queryFailure(failure).code).toBe('logs_store_unavailable');
    expect(thread.current).toBeUndefined();

    jest.restoreAllMocks();
    expect(threads.Worker).toBe(RealWorker);
    expect((await thread.query('select 1', [])).rows).toEqual([{ sql: 'select 1' }]);
    expect(thread.current).toBe(1);
  });

  it('replaces a thread past a deadline without throwing from the timer when no new one can start', async () => {
    const thread = made();
    expect((await thread.query('fast', [], { deadlineMs: 30 })).rows).toEqual([{ sql: 'fast' }]);
    expect(thread.current).toBe(1);

    failToStart();
    // The replacement's failure happens in a timer: thrown there, it would end the process
    // (jest fails the test on the uncaught exception).
    const slow: unknown = await thread
      .query('slow', [], { deadlineMs: 30 })
      .catch((error: unknown) => error);
    expect(slow).toBeInstanceOf(QueryTimeoutError);
    expect(slow).toMatchObject({ kind: 'deadline' });
    // No thread now: not the abandoned one, which must take nothing more.
    expect(thread.current).toBeUndefined();
    await expect(thread.query('fast', [], { deadlineMs: 30 })).rejects.toThrow(
      /could not start: Worker initialization failure/,
    );

    jest.restoreAllMocks();
    expect((await thread.query('fast', [], { deadlineMs: 30 })).rows).toEqual([{ sql: 'fast' }]);
    expect(thread.current).toBe(2);
  });

  it('still starts the next thread at once after a deadline when it can', async () => {
    const thread = made();
    await thread.query('fast', []);
    await expect(thread.query('slow', [], { deadlineMs: 30 })).rejects.toBeInstanceOf(
      QueryTimeoutError,
    );
    expect(thread.current).toBe(2);
    expect((await thread.query('fast', [], { deadlineMs: 30 })).rows).toEqual([{ sql: 'fast' }]);
  });
});
