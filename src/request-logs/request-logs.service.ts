import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CallEvents } from '../call/call-events';
import type { EndedCall } from '../call/ended-call';
import { pathOf } from '../common/http/path-of';
import type { AllConfig } from '../config/gateway-config';
import type { RequestLogsConfig } from '../config/request-logs-config';
import { costNanoUsd, usdFromNano } from '../governance/budget';
import { GovernanceService } from '../governance/governance.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { MetricsService } from '../metrics/metrics.service';
import type { BatchQueue } from './batch-queue';
import { createSink } from './exports/create-sink';
import type { ExportSink } from './exports/export-sink';
import { createPipeline, errorText } from './log-pipeline';
import type { LogRecord } from './log-record';
import { RequestLogsMetrics } from './request-logs-metrics';
import { openPostgres, openSqlite } from './store/connect';
import { LogStore } from './store/log-store';
import { toLogRecord, type RecordOptions } from './to-log-record';

/** Not model traffic: admin actions have the audit log; sign-ins and the UI are not calls. */
const UNLOGGED_FAMILIES = new Set(['admin', 'auth', 'ui']);

/** Routes never held back in block mode: probes, scrapes and the admin API (to read the logs). */
const NEVER_HELD = /^\/(health\/|metrics$|admin\/)/;

/**
 * Request logs: one record per counted call, from the `ended` event, queued (bounded, batched)
 * to the store and to each export; a slow or dead sink fills only its own queue.
 */
@Injectable()
export class RequestLogsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RequestLogs');
  private readonly config: RequestLogsConfig;
  private readonly metrics: RequestLogsMetrics;
  private readonly recordOptions: RecordOptions;
  readonly store?: LogStore;
  private storeQueue?: BatchQueue<LogRecord>;
  private readonly exports: { sink: ExportSink; queue: BatchQueue<LogRecord> }[] = [];
  private ready = false;
  private unsubscribe?: () => void;
  private retentionTimer?: NodeJS.Timeout;
  private migrating?: Promise<void>;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly events: CallEvents,
    metrics: MetricsService,
    private readonly governance: GovernanceService,
    private readonly lifecycle: LifecycleService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.config = configService.get('gateway', { infer: true }).requestLogs;
    this.metrics = new RequestLogsMetrics(metrics.registry);
    this.recordOptions = {
      bodies: this.config.bodies,
      bodyMaxBytes: this.config.bodyMaxBytes,
      clientAddress: this.config.clientAddress,
      costOf: (call) => this.costOf(call),
    };
    if (this.config.store === 'sqlite') this.store = new LogStore(openSqlite(this.config.dataDir));
    if (this.config.store === 'postgres' && this.config.postgresUrl)
      this.store = new LogStore(openPostgres(this.config.postgresUrl));
  }

  get enabled(): boolean {
    return this.store !== undefined || this.exports.length > 0;
  }

  /** True once the store's schema is current (the query API answers 503 before). */
  get storeReady(): boolean {
    return this.ready;
  }

  async onModuleInit(): Promise<void> {
    if (this.store) {
      const store = this.store;
      this.storeQueue = createPipeline(
        {
          sink: 'store',
          capacity: this.config.queueSize,
          batchSize: this.config.batchSize,
          flushIntervalMs: this.config.flushIntervalMs,
          // The store keeps retrying: records wait in the queue, and only new ones are dropped.
          maxAttempts: Number.POSITIVE_INFINITY,
          retryBaseDelayMs: 200,
          write: async (batch) => {
            if (!this.ready) throw new Error('the store is not ready (migrations pending)');
            await store.insert(batch);
          },
        },
        this.metrics,
        this.logger,
      );
      this.migrating = this.migrateUntilReady(store);
      // SQLite is local: wait for it, so the API is ready as the gateway listens. Postgres may be
      // down at start-up; the gateway serves anyway and the store catches up.
      if (this.config.store === 'sqlite') await this.migrating;
    }
    for (const config of this.config.exports) {
      const sink = createSink(config, this.config.replicaId);
      const queue = createPipeline(
        {
          sink: config.name,
          capacity: config.queueSize,
          batchSize: config.batchSize,
          flushIntervalMs: config.flushIntervalMs,
          maxAttempts: config.maxAttempts,
          retryBaseDelayMs: config.retryBaseDelayMs,
          write: (batch) => sink.send(batch),
        },
        this.metrics,
        this.logger,
      );
      this.exports.push({ sink, queue });
    }
    if (!this.enabled) return;
    this.unsubscribe = this.events.onEnded((call) => this.record(call));
    if (this.config.bodies !== 'off') this.keepResponseBodies();
    if (this.config.onOverflow === 'block') this.holdAdmissionWhenFull();
  }

  /** The ended-call listener: build the record once, queue it everywhere, never wait. */
  record(call: EndedCall): void {
    if (UNLOGGED_FAMILIES.has(call.apiFamily)) return;
    const record = toLogRecord(call, this.recordOptions);
    const block = this.config.onOverflow === 'block';
    if (this.storeQueue) this.enqueue(this.storeQueue, 'store', record, block);
    for (const { sink, queue } of this.exports) this.enqueue(queue, sink.name, record, block);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.retentionTimer);
    // What the drain left of the grace, and at least a second: records of the calls that just
    // finished are written before the process exits.
    const deadline = Math.max(this.lifecycle.shutdownDeadlineMs ?? 0, Date.now() + 1_000);
    const queues = [
      ...(this.storeQueue ? [{ sink: 'store', queue: this.storeQueue }] : []),
      ...this.exports.map(({ sink, queue }) => ({ sink: sink.name, queue })),
    ];
    await Promise.all(
      queues.map(async ({ sink, queue }) => {
        const left = await queue.drain(deadline);
        if (left > 0) {
          this.metrics.dropped.inc({ sink, reason: 'shutdown' }, left);
          this.logger.error(`request logs: ${left} record(s) for ${sink} not written before exit`);
        } else if (sink === 'store') {
          this.logger.log('request logs: queue flushed');
        }
      }),
    );
    await Promise.all(this.exports.map(({ sink }) => sink.close?.().catch(() => undefined)));
    await this.store?.close().catch(() => undefined);
  }

  /** Runs retention now (also run by the timer); answers how many records went. */
  async applyRetention(): Promise<number> {
    if (!this.store || !this.ready) return 0;
    const deleted = await this.store.applyRetention(
      {
        days: this.config.retentionDays,
        byVirtualKey: this.config.retentionByVirtualKey,
        byTeam: this.config.retentionByTeam,
      },
      Date.now(),
    );
    if (deleted > 0) this.logger.log(`request logs: retention deleted ${deleted} record(s)`);
    return deleted;
  }

  private enqueue(
    queue: BatchQueue<LogRecord>,
    sink: string,
    record: LogRecord,
    block: boolean,
  ): void {
    if (block) queue.pushOver(record);
    else if (!queue.push(record)) this.metrics.dropped.inc({ sink, reason: 'queue_full' });
  }

  /**
   * LOGS_ON_OVERFLOW=block: a new call waits at admission while a queue is full, so no record is
   * ever dropped (for audit use); the records of calls already admitted still go in.
   */
  private holdAdmissionWhenFull(): void {
    const queues = [
      ...(this.storeQueue ? [this.storeQueue] : []),
      ...this.exports.map((e) => e.queue),
    ];
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (request) => {
      if (NEVER_HELD.test(pathOf(request.url))) return;
      for (const queue of queues) if (queue.full) await queue.whenRoom();
    });
  }

  /** LOGS_BODIES: the JSON answer as sent (streams are not kept: they are not one body). */
  private keepResponseBodies(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      if (request.call && (typeof payload === 'string' || Buffer.isBuffer(payload)))
        request.call.responseBody = payload;
      done(null, payload);
    });
  }

  private async migrateUntilReady(store: LogStore): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.migrate();
        this.ready = true;
        this.logger.log(
          `request logs: ${this.config.store} store ready${this.config.store === 'sqlite' ? ` (${this.config.dataDir}/requests.sqlite)` : ''}`,
        );
        void this.applyRetention().catch((error: unknown) =>
          this.logger.warn(`request logs: retention failed: ${errorText(error)}`),
        );
        this.retentionTimer = setInterval(() => {
          void this.applyRetention().catch((error: unknown) =>
            this.logger.warn(`request logs: retention failed: ${errorText(error)}`),
          );
        }, this.config.retentionIntervalMs).unref();
        return;
      } catch (error) {
        if (this.config.store === 'sqlite') throw error;
        this.logger.error(
          `request logs: ${this.config.store} store unavailable (attempt ${attempt}): ${errorText(error)}; retrying`,
        );
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(30_000, 1_000 * attempt)).unref(),
        );
      }
    }
  }

  private costOf(call: EndedCall): number | undefined {
    if (!call.usage) return undefined;
    const price = this.governance.priceOf(call.model) ?? this.governance.priceOf(call.modelAsked);
    return price ? usdFromNano(costNanoUsd(price, call.usage)) : undefined;
  }
}
