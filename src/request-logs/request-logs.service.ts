import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CallEvents } from '../call/call-events';
import type { EndedCall } from '../call/ended-call';
import { pathOf } from '../common/http/path-of';
import type { AllConfig } from '../config/gateway-config';
import type { NetworkConfig } from '../config/network-config';
import type { RequestLogsConfig } from '../config/request-logs-config';
import { costNanoUsd, usdFromNano } from '../governance/budget';
import { GovernanceService } from '../governance/governance.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { MetricsService } from '../metrics/metrics.service';
import type { BatchQueue } from './batch-queue';
import { createSink } from './exports/create-sink';
import type { ExportSink } from './exports/export-sink';
import { createPipeline, errorText } from './log-pipeline';
import { sinkHealth, type SinkHealth } from './sink-health';
import type { LogRecord } from './log-record';
import { RequestLogsMetrics } from './request-logs-metrics';
import type { LogStore } from './store/log-store';
import { openStore } from './store/open-store';
import { refusalOf } from './store/refusal';
import { LogTail } from './log-tail';
import { toLogRecord, type RecordOptions } from './to-log-record';

/** Not model traffic: admin actions have the audit log; sign-ins and the UI are not calls. */
const UNLOGGED_FAMILIES = new Set(['admin', 'auth', 'ui']);

/** Routes never held back in block mode: probes, scrapes and the admin API (to read the logs). */
const NEVER_HELD = /^\/(health\/|metrics$|admin\/)/;

/** An idle Postgres store is asked `select 1` this often: nothing else would say it is gone. */
const PROBE_INTERVAL_MS = 5_000;

/**
 * Request logs: one record per counted call, from the `ended` event, queued (bounded, batched)
 * to the store and to each export; a slow or dead sink fills only its own queue.
 */
@Injectable()
export class RequestLogsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('RequestLogs');
  private readonly config: RequestLogsConfig;
  private readonly egress: NetworkConfig['egress'];
  private readonly metrics: RequestLogsMetrics;
  private readonly recordOptions: RecordOptions;
  private logStore?: LogStore;
  private storeQueue?: BatchQueue<LogRecord>;
  private readonly exports: {
    name: string;
    sink: () => ExportSink | undefined;
    queue: BatchQueue<LogRecord>;
  }[] = [];
  private ready = false;
  private unsubscribe?: () => void;
  private retentionTimer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  /** The store's last open or migration attempt failed, with this (until it opens). */
  private openFailing?: { error: unknown };
  /** The idle store's last probe failed, with this (until one answers or a write succeeds). */
  private probeFailing?: { error: unknown };
  private probing = false;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly events: CallEvents,
    metrics: MetricsService,
    private readonly governance: GovernanceService,
    private readonly lifecycle: LifecycleService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly tail: LogTail,
  ) {
    this.config = configService.get('gateway', { infer: true }).requestLogs;
    this.egress = configService.get('gateway', { infer: true }).network.egress;
    this.metrics = new RequestLogsMetrics(metrics.registry);
    this.recordOptions = {
      bodies: this.config.bodies,
      bodyMaxBytes: this.config.bodyMaxBytes,
      clientAddress: this.config.clientAddress,
      costOf: (call) => this.costOf(call),
    };
  }

  /** The store once it is open (undefined with LOGS_STORE=off, or for a moment at start-up). */
  get store(): LogStore | undefined {
    return this.logStore;
  }

  get storeConfigured(): boolean {
    return this.config.store !== 'off';
  }

  /** True once the store's schema is current (the query API answers 503 before). */
  get storeReady(): boolean {
    return this.ready;
  }

  /**
   * One health probe per sink, for alerts' `store_unavailable`: `request-logs` (the store) and
   * `request-logs/<name>` for each export. Known from the configuration, so they can be watched
   * before this service has started; each reads the sink's queue and store when asked.
   */
  healthProbes(): Array<{ name: string; probe: () => SinkHealth }> {
    const probes: Array<{ name: string; probe: () => SinkHealth }> = [];
    // Only the store's queue holds calls when full (LOGS_ON_OVERFLOW=block); exports drop.
    const block = this.config.onOverflow === 'block';
    const full = (queue: BatchQueue<LogRecord> | undefined, holds: boolean) =>
      queue?.full ? { length: queue.length, block: holds } : undefined;
    if (this.config.store !== 'off') {
      probes.push({
        name: 'request-logs',
        probe: () =>
          sinkHealth({
            openFailing: this.ready ? undefined : this.openFailing,
            writeFailing: this.storeQueue?.failing,
            probeFailing: this.probeFailing,
            queueFull: full(this.storeQueue, block),
          }),
      });
    }
    for (const config of this.config.exports) {
      probes.push({
        name: `request-logs/${config.name}`,
        probe: () => {
          const queue = this.exports.find((e) => e.name === config.name)?.queue;
          return sinkHealth({ writeFailing: queue?.failing, queueFull: full(queue, false) });
        },
      });
    }
    return probes;
  }

  /**
   * Subscribes at once (records queue from the first call) and opens the store and the sinks in
   * the background, so start-up does not wait for modules, files or a database.
   */
  onModuleInit(): void {
    const queues = this.config.store !== 'off' || this.config.exports.length > 0;
    if (!queues) return;
    if (this.config.store !== 'off') {
      this.storeQueue = createPipeline(
        {
          sink: 'store',
          capacity: this.config.queueSize,
          batchSize: this.config.batchSize,
          flushIntervalMs: this.config.flushIntervalMs,
          // The store keeps retrying: records wait in the queue, and only new ones are dropped.
          // A record the database refuses for good (a data error) is dropped alone, counted.
          maxAttempts: Number.POSITIVE_INFINITY,
          retryBaseDelayMs: 200,
          write: async (batch) => {
            if (!this.ready || !this.logStore) throw new Error('the store is not open yet');
            await this.logStore.insert(batch);
          },
          refusal: refusalOf,
        },
        this.metrics,
        this.logger,
      );
    }
    for (const config of this.config.exports) {
      let sink: ExportSink | undefined;
      const loading = createSink(config, this.config.replicaId, this.egress).then(
        (made) => (sink = made),
      );
      // A failure here surfaces in the first write (retried, counted); not as an unhandled rejection.
      loading.catch(() => undefined);
      const queue = createPipeline(
        {
          sink: config.name,
          capacity: config.queueSize,
          batchSize: config.batchSize,
          flushIntervalMs: config.flushIntervalMs,
          maxAttempts: config.maxAttempts,
          retryBaseDelayMs: config.retryBaseDelayMs,
          write: async (batch) => (sink ?? (await loading)).send(batch),
        },
        this.metrics,
        this.logger,
      );
      this.exports.push({ name: config.name, sink: () => sink, queue });
    }
    this.unsubscribe = this.events.onEnded((call) => this.record(call));
    if (this.config.bodies !== 'off') this.keepBodies();
    if (this.config.onOverflow === 'block') this.holdAdmissionWhenFull();
    if (this.config.store !== 'off') void this.openStoreUntilReady();
  }

  /** The ended-call listener: build the record once, queue it everywhere, never wait. */
  record(call: EndedCall): void {
    if (UNLOGGED_FAMILIES.has(call.apiFamily)) return;
    const record = toLogRecord(call, this.recordOptions);
    // Only the store's queue blocks: an export (a SIEM that is down) never holds the traffic.
    if (this.storeQueue)
      this.enqueue(this.storeQueue, 'store', record, this.config.onOverflow === 'block');
    for (const { name, queue } of this.exports) this.enqueue(queue, name, record, false);
    this.tail.publish(record);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    clearInterval(this.retentionTimer);
    clearInterval(this.probeTimer);
    // What the drain left of the grace, and at least a second: records of the calls that just
    // finished are written before the process exits.
    const deadline = Math.max(this.lifecycle.shutdownDeadlineMs ?? 0, Date.now() + 1_000);
    const queues = [
      ...(this.storeQueue ? [{ sink: 'store', queue: this.storeQueue }] : []),
      ...this.exports.map(({ name, queue }) => ({ sink: name, queue })),
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
    // A sink's close waits for its request in flight (a dead one: its timeout): not past the grace.
    await Promise.race([
      Promise.all(
        this.exports.map(({ sink }) =>
          sink()
            ?.close?.()
            .catch(() => undefined),
        ),
      ),
      sleep(Math.max(0, deadline - Date.now())),
    ]);
    await this.logStore?.close().catch(() => undefined);
  }

  /** Runs retention now (also run by the timer); answers how many records went. */
  async applyRetention(): Promise<number> {
    if (!this.logStore || !this.ready) return 0;
    const deleted = await this.logStore.applyRetention(
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
   * LOGS_ON_OVERFLOW=block: a new call waits at admission while the store's queue is full, so the
   * store never drops a record (for audit use); the records of calls already admitted still go in.
   * Exports do not hold calls: a dead SIEM must not stop the traffic (their overflow is counted).
   */
  private holdAdmissionWhenFull(): void {
    const queue = this.storeQueue;
    if (!queue) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', async (request) => {
      if (queue.full && !NEVER_HELD.test(pathOf(request.url))) await queue.whenRoom();
    });
  }

  /**
   * LOGS_BODIES: `full` keeps the request as it came, `redacted` the body sent upstream (after
   * guardrail redaction); the answer is kept for JSON responses as sent (a stream is not one body).
   * Input redaction edits the parsed body in place, so `full` copies it before any handler runs.
   */
  private keepBodies(): void {
    const full = this.config.bodies === 'full';
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (full) {
      fastify.addHook('preHandler', (request, _reply, done) => {
        const call = request.call;
        if (call && request.body !== undefined) call.requestBody = structuredClone(request.body);
        done();
      });
    }
    fastify.addHook('onSend', (request, _reply, payload, done) => {
      const call = request.call;
      if (call) {
        call.requestBody = full
          ? (call.requestBody ?? request.body)
          : (call.upstream?.body ?? request.body);
        if (typeof payload === 'string' || Buffer.isBuffer(payload)) call.responseBody = payload;
      }
      done(null, payload);
    });
  }

  /**
   * Opens the store and brings its schema up to date. Postgres may be down for a while: retry.
   * SQLite still failing after a few tries (workers of one host migrate the same file at once;
   * one waits) is a setup mistake, such as a folder that cannot be written: one line and exit.
   */
  private async openStoreUntilReady(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.logStore ??= await openStore(this.config);
        await this.logStore?.migrate();
        this.openFailing = undefined;
        break;
      } catch (error) {
        this.openFailing = { error };
        if (this.config.store === 'sqlite' && attempt >= 5) {
          process.stderr.write(
            `groq-gateway: request logs: cannot use ${this.config.dataDir}/requests.sqlite (${errorText(error)}); set DATA_DIR to a writable folder, or LOGS_STORE=off\n`,
          );
          process.exit(1);
        }
        this.logger.warn(
          `request logs: ${this.config.store} store unavailable (attempt ${attempt}): ${errorText(error)}; retrying`,
        );
        await sleep(
          this.config.store === 'sqlite' ? 200 * attempt : Math.min(30_000, 1_000 * attempt),
        );
      }
    }
    this.ready = true;
    this.logger.log(
      `request logs: ${this.config.store} store ready${this.config.store === 'sqlite' ? ` (${this.config.dataDir}/requests.sqlite)` : ''}`,
    );
    const retention = () =>
      void this.applyRetention().catch((error: unknown) =>
        this.logger.warn(`request logs: retention failed: ${errorText(error)}`),
      );
    retention();
    this.retentionTimer = setInterval(retention, this.config.retentionIntervalMs).unref();
    if (this.config.store === 'postgres') {
      this.probeTimer = setInterval(() => void this.probeWhileIdle(), PROBE_INTERVAL_MS).unref();
    }
  }

  /**
   * A Postgres store with nothing to write is asked `select 1`, so an outage is seen while idle;
   * with records queued, their writes say it (and a write that succeeds clears a failed probe).
   */
  private async probeWhileIdle(): Promise<void> {
    const queue = this.storeQueue;
    if (this.probing || !this.logStore || (queue && queue.length > 0)) {
      if (queue && queue.length > 0 && !queue.failing) this.probeFailing = undefined;
      return;
    }
    this.probing = true;
    try {
      await this.logStore.ping();
      this.probeFailing = undefined;
    } catch (error) {
      this.probeFailing = { error };
    } finally {
      this.probing = false;
    }
  }

  private costOf(call: EndedCall): number | undefined {
    if (!call.usage) return undefined;
    const price = this.governance.priceOf(call.model) ?? this.governance.priceOf(call.modelAsked);
    return price ? usdFromNano(costNanoUsd(price, call.usage)) : undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
