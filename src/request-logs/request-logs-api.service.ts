import { requestOrigin } from '../governance/audit-log';
import { Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { GatewayError } from '../common/errors/gateway-error';
import type { AuditActor } from '../governance/audit-log';
import { GovernanceService } from '../governance/governance.service';
import { csvHeader, csvRow, ndjsonLine } from './exports/ndjson';
import { errorText } from './log-pipeline';
import {
  hasControlCharacter,
  invalid,
  parseErasure,
  parseFilter,
  parsePage,
  text,
  type LogFilter,
  type Params,
} from './log-query';
import type { LogRecord } from './log-record';
import { RequestLogsService } from './request-logs.service';
import { queryFailure, storeUnavailable } from './query-errors';
import { INTERVALS, parseStats } from './stats-query';
import type { LogStore } from './store/log-store';

const CHUNK_CHARS = 32 * 1024;

/**
 * What the caller may see (issue 20): `teams` undefined for every team, else only records of
 * those teams; `bodies` false strips request and response bodies (and `q` does not search them).
 */
export interface LogAccess {
  teams?: readonly string[];
  bodies: boolean;
}

/** An admin-key caller: everything. */
export const FULL_LOG_ACCESS: LogAccess = { bodies: true };

function scoped<F extends LogFilter>(filter: F, access: LogAccess): F {
  return { ...filter, teams: access.teams, searchBodies: access.bodies };
}

function visible(record: LogRecord, access: LogAccess): LogRecord {
  return access.bodies ? record : { ...record, request_body: null, response_body: null };
}

export type ExportFormat = 'ndjson' | 'csv';

/** The admin query API over the store: list, one record, export, stats, erasure. */
@Injectable()
export class RequestLogsApiService {
  private readonly logger = new Logger('RequestLogs');

  constructor(
    private readonly logs: RequestLogsService,
    private readonly governance: GovernanceService,
  ) {}

  async list(params: Params, access: LogAccess = FULL_LOG_ACCESS) {
    const query = parsePage(params);
    const page = await this.run((store) =>
      store.page({ ...query, filter: scoped(query.filter, access) }),
    );
    return access.bodies ? page : { ...page, data: page.data.map((r) => visible(r, access)) };
  }

  /**
   * The newest record of the request id among those the caller may see; one outside the caller's
   * teams answers 404, as one that does not exist.
   */
  async get(requestId: string, access: LogAccess = FULL_LOG_ACCESS): Promise<LogRecord> {
    // No stored request id holds a control character, and Postgres refuses a NUL in a query.
    const record = hasControlCharacter(requestId)
      ? undefined
      : await this.run((store) => store.byRequestId(requestId, access.teams));
    if (!record)
      throw new GatewayError({
        status: 404,
        message: `No request log for request id '${requestId}' (never made, erased, or past retention).`,
        code: 'log_not_found',
        param: 'requestId',
      });
    return visible(record, access);
  }

  /**
   * The export as a stream pulled page by page: memory stays flat for any number of records. The
   * first page is read before answering, so a store that cannot answer it (or a first page past
   * the query deadline) is an error envelope; a later page failing ends the stream early.
   */
  async export(
    params: Params,
    access: LogAccess = FULL_LOG_ACCESS,
  ): Promise<{ format: ExportFormat; body: Readable }> {
    const format = (text(params, 'format') ?? 'ndjson').toLowerCase();
    if (format !== 'ndjson' && format !== 'csv')
      throw invalid('format', 'format must be ndjson or csv.');
    const filter = scoped(parseFilter(params, ['format']), access);
    const pages = this.storeOrThrow().scan(filter);
    const first = await this.answer(pages.next());
    const logger = this.logger;
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield csvHeader();
      try {
        // Chunks of about 32 KiB: a write per line costs a syscall per record, and a string per
        // page would be a large object that only a full GC frees (the heap grows by pages).
        let chunk = '';
        for (let page = first; !page.done; page = await pages.next()) {
          for (const stored of page.value) {
            const record = visible(stored, access);
            chunk += format === 'csv' ? csvRow(record) : ndjsonLine(record);
            if (chunk.length >= CHUNK_CHARS) {
              yield chunk;
              chunk = '';
            }
          }
        }
        if (chunk) yield chunk;
      } catch (error) {
        logger.error(`request logs: export failed mid-way: ${errorText(error)}`);
        throw error;
      }
    }
    return {
      format,
      body: Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 }),
    };
  }

  stats(params: Params, access: LogAccess = FULL_LOG_ACCESS) {
    const parsed = parseStats(params, Date.now());
    const query = { ...parsed, filter: scoped(parsed.filter, access) };
    return this.run(async (store) => ({
      object: 'stats',
      from: query.filter.fromMs === undefined ? null : new Date(query.filter.fromMs).toISOString(),
      to: query.filter.toMs === undefined ? null : new Date(query.filter.toMs).toISOString(),
      group_by: query.groupBy ?? null,
      interval: query.interval ?? null,
      data: await store.stats(
        query.filter,
        query.groupBy,
        query.interval ? INTERVALS[query.interval] : undefined,
      ),
    }));
  }

  /** Erases what the filter matches among the records the caller may see. */
  async erase(
    request: FastifyRequest,
    params: Params,
    actor: AuditActor,
    access: LogAccess = FULL_LOG_ACCESS,
  ) {
    const filter = scoped(parseErasure(params), access);
    // Erasure has no deadline (Postgres: the writes' pool, statement_timeout 0; SQLite: the writer
    // thread): whatever stops it, even a query_canceled from the server, is the store failing.
    const deleted = await this.run((store) => store.erase(filter), storeUnavailable);
    this.governance.audit.write({
      action: 'logs.delete',
      ...actor,
      outcome: 'ok',
      status: 200,
      ...requestOrigin(request),
      target: JSON.stringify({
        virtualKey: filter.virtualKey,
        before: filter.beforeMs === undefined ? undefined : new Date(filter.beforeMs).toISOString(),
        requestId: filter.requestId,
        teams: filter.teams,
        deleted,
      }),
    });
    return { object: 'logs.deleted', deleted };
  }

  private storeOrThrow(): LogStore {
    if (!this.logs.storeConfigured)
      throw new GatewayError({
        status: 404,
        message: 'Request logs are not stored on this gateway (LOGS_STORE=off).',
        code: 'logs_store_off',
      });
    const store = this.logs.store;
    if (!store || !this.logs.storeReady) throw storeUnavailable();
    return store;
  }

  private async run<T>(
    query: (store: LogStore) => Promise<T>,
    failed: (error: unknown) => GatewayError = queryFailure,
  ): Promise<T> {
    return this.answer(query(this.storeOrThrow()), failed);
  }

  /**
   * What the query answers, or its failure as the client sees it (never a 500): by default a
   * query API's, where a statement stopped for time is 503 `query_timeout`.
   */
  private async answer<T>(
    query: Promise<T>,
    failed: (error: unknown) => GatewayError = queryFailure,
  ): Promise<T> {
    try {
      return await query;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      const failure = failed(error);
      if (failure.code === 'query_timeout')
        this.logger.warn(`request logs: query stopped: ${errorText(error)}`);
      else this.logger.error(`request logs: query failed: ${errorText(error)}`);
      throw failure;
    }
  }
}
