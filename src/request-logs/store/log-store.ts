import { ExpressionBuilder, Expression, Kysely, SqlBool, sql } from 'kysely';
import type { LogRecord } from '../log-record';
import { encodeCursor, type Cursor, type LogFilter, type PageQuery } from '../log-query';
import { migrateToLatest } from './migrations';
import { fromRow, toRow } from './row-mapping';
import type { LogsDatabase, RequestLogRow } from './schema';
import type { RecordWriter } from './record-writer';
import type { StoreConnections } from './connect';

/** Rows per INSERT on Postgres: 34 bind parameters a row, at most 65535 a statement. */
const INSERT_CHUNK = 1_000;

type Eb = ExpressionBuilder<LogsDatabase, 'request_logs'>;

export const STATS_GROUPS = {
  model: 'model',
  virtualKey: 'virtual_key_id',
  status: 'status',
  keyId: 'key_id',
} as const;
export type StatsGroup = keyof typeof STATS_GROUPS;

export interface StatsRow {
  start: string | null;
  group: string | null;
  requests: number;
  errors: number;
  abandoned: number;
  error_rate: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  /** Time to first token of streamed calls (nearest rank); null when none streamed. */
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface RetentionPolicy {
  days: number;
  byVirtualKey: Record<string, number>;
  byTeam: Record<string, number>;
}

const DAY_MS = 86_400_000;
/** Free text looks here. */
const SEARCHED = [
  'request_id',
  'trace_id',
  'model',
  'model_asked',
  'error_code',
  'path',
  'user_agent',
  'virtual_key_id',
  'request_body',
  'response_body',
] as const;

/**
 * One query layer over both stores (SQLite and Postgres through Kysely): the SQL below is the
 * subset both dialects run the same (window functions, integer division, LIKE on lower()).
 */
export class LogStore {
  private readonly db: Kysely<LogsDatabase>;
  /** The query API's (page, byRequestId, scan, stats): each statement under the query deadline. */
  private readonly reads: Kysely<LogsDatabase>;
  private readonly writer?: RecordWriter;

  constructor(
    connections: StoreConnections,
    /** Rows one DELETE of retention or erasure removes at most (see deleteWhere). */
    private readonly deleteChunk = 5_000,
  ) {
    this.db = connections.db;
    this.reads = connections.reads;
    this.writer = connections.writer;
  }

  /** One round trip, for a health probe while there is nothing to write. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.db as Kysely<unknown>);
  }

  /** Writes a batch; a record already stored (a retried batch) is left as it was. */
  async insert(records: readonly LogRecord[]): Promise<void> {
    if (records.length === 0) return;
    if (this.writer) return this.writer.write(records);
    const rows = records.map(toRow);
    // Multi-row VALUES, in chunks under Postgres's 65535 bind parameters (34 a row), one transaction.
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK)
        await trx
          .insertInto('request_logs')
          .values(rows.slice(i, i + INSERT_CHUNK))
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
    });
  }

  /** Newest first, `limit` at a time. */
  async page(query: PageQuery): Promise<{ data: LogRecord[]; next_cursor: string | null }> {
    const cursor = query.cursor;
    const rows = await this.reads
      .selectFrom('request_logs')
      .selectAll()
      .where((eb) => eb.and(conditions(eb, query.filter)))
      .$if(cursor !== undefined, (qb) => qb.where((eb) => before(eb, cursor as Cursor)))
      .orderBy('time_ms', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    const data = rows.slice(0, query.limit);
    const last = data.at(-1);
    return {
      data: data.map(fromRow),
      next_cursor:
        rows.length > query.limit && last
          ? encodeCursor({ timeMs: Number(last.time_ms), id: last.id })
          : null,
    };
  }

  /**
   * The record of a request id (the newest, should callers have reused the id), among `teams`'
   * records when given: a caller's id reused by another team's key must not hide the caller's own.
   */
  async byRequestId(requestId: string, teams?: readonly string[]): Promise<LogRecord | undefined> {
    const row = await this.reads
      .selectFrom('request_logs')
      .selectAll()
      .where((eb) => eb.and(conditions(eb, { requestId, teams })))
      .orderBy('time_ms', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Every matching record, oldest first, a page of `pageSize` at a time, read by key (never an
   * OFFSET, never the whole result in memory): the export streams any number of records. Pages of
   * 250: with bodies stored (up to 64 KiB each) a page is held by the SQLite thread, the clone
   * between threads and the export at once.
   */
  async *scan(filter: LogFilter, pageSize = 250): AsyncGenerator<LogRecord[]> {
    let after: Cursor | undefined;
    for (;;) {
      const rows: RequestLogRow[] = await this.reads
        .selectFrom('request_logs')
        .selectAll()
        .where((eb) => eb.and(conditions(eb, filter)))
        .$if(after !== undefined, (qb) => qb.where((eb) => afterCursor(eb, after as Cursor)))
        .orderBy('time_ms', 'asc')
        .orderBy('id', 'asc')
        .limit(pageSize)
        .execute();
      if (rows.length > 0) yield rows.map(fromRow);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = { timeMs: Number(last.time_ms), id: last.id };
    }
  }

  async stats(
    filter: LogFilter,
    groupBy: StatsGroup | undefined,
    intervalMs: number | undefined,
  ): Promise<StatsRow[]> {
    const bucket = intervalMs
      ? sql<number>`(${sql.ref('time_ms')} / ${sql.lit(intervalMs)}) * ${sql.lit(intervalMs)}`
      : sql<number>`0`;
    const group = groupBy ? sql`${sql.ref(STATS_GROUPS[groupBy])}` : sql`null`;
    const filtered = this.reads
      .selectFrom('request_logs')
      .select([
        bucket.as('bucket'),
        group.as('grp'),
        'latency_ms',
        'time_to_first_token_ms',
        'status',
        'prompt_tokens',
        'cached_tokens',
        'completion_tokens',
        'reasoning_tokens',
        'total_tokens',
        'cost_usd',
      ])
      .where((eb) => eb.and(conditions(eb, filter)));
    // p50/p95 by nearest rank: the smallest latency whose rank reaches the percentile.
    const result = await sql<Record<string, unknown>>`
      with ranked as (
        select f.*,
          row_number() over (partition by bucket, grp order by latency_ms) as rn,
          count(*) over (partition by bucket, grp) as cnt,
          row_number() over (
            partition by bucket, grp, case when time_to_first_token_ms is null then 1 else 0 end
            order by time_to_first_token_ms
          ) as trn,
          count(time_to_first_token_ms) over (partition by bucket, grp) as tcnt
        from (${filtered}) as f
      )
      select bucket, grp, count(*) as requests,
        sum(case when status >= 400 and status <> 499 then 1 else 0 end) as errors,
        sum(case when status = 499 then 1 else 0 end) as abandoned,
        min(case when rn * 100 >= cnt * 50 then latency_ms end) as p50,
        min(case when rn * 100 >= cnt * 95 then latency_ms end) as p95,
        min(case when time_to_first_token_ms is not null and trn * 100 >= tcnt * 50
          then time_to_first_token_ms end) as ttft_p50,
        min(case when time_to_first_token_ms is not null and trn * 100 >= tcnt * 95
          then time_to_first_token_ms end) as ttft_p95,
        coalesce(sum(prompt_tokens), 0) as prompt_tokens,
        coalesce(sum(cached_tokens), 0) as cached_tokens,
        coalesce(sum(completion_tokens), 0) as completion_tokens,
        coalesce(sum(reasoning_tokens), 0) as reasoning_tokens,
        coalesce(sum(total_tokens), 0) as total_tokens,
        coalesce(sum(cost_usd), 0) as cost_usd
      from ranked
      group by bucket, grp
      order by bucket, grp`.execute(this.reads);
    return result.rows.map((row) => {
      const requests = Number(row.requests);
      const errors = Number(row.errors);
      return {
        start: intervalMs ? new Date(Number(row.bucket)).toISOString() : null,
        group: row.grp === null || row.grp === undefined ? null : String(row.grp),
        requests,
        errors,
        abandoned: Number(row.abandoned),
        error_rate: requests ? round(errors / requests, 6) : 0,
        latency_p50_ms: row.p50 === null ? null : Number(row.p50),
        latency_p95_ms: row.p95 === null ? null : Number(row.p95),
        ttft_p50_ms: row.ttft_p50 === null ? null : Number(row.ttft_p50),
        ttft_p95_ms: row.ttft_p95 === null ? null : Number(row.ttft_p95),
        prompt_tokens: Number(row.prompt_tokens),
        cached_tokens: Number(row.cached_tokens),
        completion_tokens: Number(row.completion_tokens),
        reasoning_tokens: Number(row.reasoning_tokens),
        total_tokens: Number(row.total_tokens),
        cost_usd: round(Number(row.cost_usd), 9),
      };
    });
  }

  /** Erases what the filter matches; answers how many records went. */
  erase(filter: LogFilter): Promise<number> {
    return this.deleteWhere((eb) => eb.and(conditions(eb, filter)));
  }

  /**
   * Deletes what outlived its retention: a virtual key's own days win over its team's, which win
   * over the global days. A key's rows are all its own (its index finds exactly what goes); a
   * team's and the global delete leave rows that a longer override keeps, so they walk their
   * index in windows (deleteOlderInWindows) and look at each row once.
   */
  async applyRetention(policy: RetentionPolicy, nowMs: number): Promise<number> {
    const keys = Object.keys(policy.byVirtualKey);
    const teams = Object.keys(policy.byTeam);
    let deleted = 0;
    for (const [key, days] of Object.entries(policy.byVirtualKey)) {
      deleted += await this.deleteWhere((eb) =>
        eb.and([eb('virtual_key_id', '=', key), eb('time_ms', '<', nowMs - days * DAY_MS)]),
      );
    }
    for (const [team, days] of Object.entries(policy.byTeam)) {
      deleted += await this.deleteOlderInWindows(
        nowMs - days * DAY_MS,
        (eb) => eb('team_id', '=', team),
        (eb) => notOneOf(eb, 'virtual_key_id', keys),
      );
    }
    deleted += await this.deleteOlderInWindows(
      nowMs - policy.days * DAY_MS,
      () => sql<SqlBool>`1 = 1`,
      (eb) => eb.and([notOneOf(eb, 'virtual_key_id', keys), notOneOf(eb, 'team_id', teams)]),
    );
    return deleted;
  }

  /** How many records the store holds (start-up log, tests). */
  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('request_logs')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async close(): Promise<void> {
    await Promise.all([
      this.writer?.close(),
      this.db.destroy(),
      this.reads === this.db ? undefined : this.reads.destroy(),
    ]);
  }

  /**
   * Deletes what `where` matches, `deleteChunk` rows a statement until none is left. SQLite runs
   * each on its writer (off the event loop, a day of records can take seconds), and batches
   * handed over meanwhile are written between the chunks rather than after the whole delete.
   */
  private async deleteWhere(where: (eb: Eb) => Expression<SqlBool>): Promise<number> {
    let deleted = 0;
    for (;;) {
      const chunk = this.db
        .deleteFrom('request_logs')
        .where('id', 'in', (eb) =>
          eb.selectFrom('request_logs').select('id').where(where).limit(this.deleteChunk),
        );
      const compiled = chunk.compile();
      const changed = this.writer
        ? await this.writer.execute(compiled.sql, compiled.parameters)
        : Number((await chunk.executeTakeFirst()).numDeletedRows);
      deleted += changed;
      // Until a chunk finds nothing: another replica deleting the same rows makes one short.
      if (changed === 0) return deleted;
    }
  }

  /**
   * Deletes the rows of `scope` older than `beforeMs` that `unless` does not keep, walking
   * `scope`'s time index from the oldest in windows: a window ends before the millisecond of the
   * `deleteChunk`-th row from its start (so it holds fewer rows than that), its rows that
   * `unless` keeps stay, and the next window starts at that millisecond. A chunk found by `LIMIT`
   * from the oldest (as deleteWhere does) would walk every kept row again on each chunk: with
   * per-key or per-team retention longer than the global one, 1,000,000 kept rows made each
   * global chunk 680 ms. A millisecond that alone holds `deleteChunk` rows or more (a backfill)
   * goes by deleteWhere, in chunks, so no statement deletes more than `deleteChunk` rows.
   */
  private async deleteOlderInWindows(
    beforeMs: number,
    scope: (eb: Eb) => Expression<SqlBool>,
    unless: (eb: Eb) => Expression<SqlBool>,
  ): Promise<number> {
    let deleted = 0;
    let fromMs: number | undefined;
    for (;;) {
      // One upper bound a statement: given two, SQLite may bound the index walk by the wrong one.
      const inRange = (eb: Eb, toMs: number): Expression<SqlBool>[] => [
        scope(eb),
        eb('time_ms', '<', toMs),
        ...(fromMs === undefined ? [] : [eb('time_ms', '>=', fromMs)]),
      ];
      const edge = await this.db
        .selectFrom('request_logs')
        .select('time_ms')
        .where((eb) => eb.and(inRange(eb, beforeMs)))
        .orderBy('time_ms')
        .limit(1)
        .offset(this.deleteChunk - 1)
        .executeTakeFirst();
      const edgeMs = edge === undefined ? beforeMs : Number(edge.time_ms);
      if (edge !== undefined && edgeMs === fromMs) {
        const crowded = edgeMs;
        deleted += await this.deleteWhere((eb) =>
          eb.and([scope(eb), eb('time_ms', '=', crowded), unless(eb)]),
        );
        fromMs = crowded + 1;
        continue;
      }
      const window = this.db
        .deleteFrom('request_logs')
        .where((eb) => eb.and([...inRange(eb, edgeMs), unless(eb)]));
      const compiled = window.compile();
      deleted += this.writer
        ? await this.writer.execute(compiled.sql, compiled.parameters)
        : Number((await window.executeTakeFirst()).numDeletedRows);
      if (edge === undefined) return deleted;
      fromMs = edgeMs;
    }
  }
}

function conditions(eb: Eb, filter: LogFilter): Expression<SqlBool>[] {
  const list: Expression<SqlBool>[] = [];
  if (filter.fromMs !== undefined) list.push(eb('time_ms', '>=', filter.fromMs));
  if (filter.toMs !== undefined) list.push(eb('time_ms', '<', filter.toMs));
  if (filter.beforeMs !== undefined) list.push(eb('time_ms', '<', filter.beforeMs));
  if (filter.model !== undefined)
    list.push(eb.or([eb('model', '=', filter.model), eb('model_asked', '=', filter.model)]));
  if (filter.virtualKey !== undefined) list.push(eb('virtual_key_id', '=', filter.virtualKey));
  if (filter.keyId !== undefined) list.push(eb('key_id', '=', filter.keyId));
  if (filter.status !== undefined) {
    list.push(
      filter.status.min === filter.status.max
        ? eb('status', '=', filter.status.min)
        : eb.between('status', filter.status.min, filter.status.max),
    );
  }
  if (filter.code !== undefined) list.push(eb('error_code', '=', filter.code));
  if (filter.requestId !== undefined) list.push(eb('request_id', '=', filter.requestId));
  if (filter.teams !== undefined)
    list.push(
      filter.teams.length > 0 ? eb('team_id', 'in', [...filter.teams]) : sql<SqlBool>`1 = 0`,
    );
  if (filter.q !== undefined) {
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const searched =
      filter.searchBodies === false
        ? SEARCHED.filter((c) => c !== 'request_body' && c !== 'response_body')
        : SEARCHED;
    list.push(
      eb.or(
        searched.map(
          (column) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`,
        ),
      ),
    );
  }
  return list;
}

function before(eb: Eb, cursor: Cursor): Expression<SqlBool> {
  return eb.or([
    eb('time_ms', '<', cursor.timeMs),
    eb.and([eb('time_ms', '=', cursor.timeMs), eb('id', '<', cursor.id)]),
  ]);
}

function afterCursor(eb: Eb, cursor: Cursor): Expression<SqlBool> {
  return eb.or([
    eb('time_ms', '>', cursor.timeMs),
    eb.and([eb('time_ms', '=', cursor.timeMs), eb('id', '>', cursor.id)]),
  ]);
}

function notOneOf(
  eb: Eb,
  column: 'virtual_key_id' | 'team_id',
  values: string[],
): Expression<SqlBool> {
  if (values.length === 0) return sql<SqlBool>`1 = 1`;
  return eb.or([eb(column, 'is', null), eb(column, 'not in', values)]);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
