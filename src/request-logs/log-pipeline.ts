import type { Logger } from '@nestjs/common';
import { BatchQueue } from './batch-queue';
import type { LogRecord } from './log-record';
import type { RequestLogsMetrics } from './request-logs-metrics';
import type { Refusal } from './store/refusal';

export interface PipelineOptions {
  sink: string;
  capacity: number;
  batchSize: number;
  flushIntervalMs: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  write(batch: readonly LogRecord[]): Promise<void>;
  /**
   * The store's: a write error that is the sink refusing a record for good (see BatchQueue's
   * `refuses`), with what to log. Unset: every error is retried.
   */
  refusal?(error: unknown): Refusal | undefined;
}

/** A sink's bounded batch queue with its metrics and its (rate-limited) error log wired in. */
export function createPipeline(
  options: PipelineOptions,
  metrics: RequestLogsMetrics,
  logger: Logger,
): BatchQueue<LogRecord> {
  const sink = options.sink;
  let lastLoggedAt = 0;
  let lastRefusalLoggedAt = 0;
  let refusedSinceLine = 0;
  const queue = new BatchQueue<LogRecord>({
    capacity: options.capacity,
    batchSize: options.batchSize,
    flushIntervalMs: options.flushIntervalMs,
    maxAttempts: options.maxAttempts,
    retryBaseDelayMs: options.retryBaseDelayMs,
    retryMaxDelayMs: 30_000,
    write: options.write,
    refuses: options.refusal && ((error) => options.refusal?.(error) !== undefined),
    onWritten: (count) => metrics.written.inc({ sink }, count),
    onError: (error, attempt) => {
      metrics.batchesFailed.inc({ sink });
      // One line per sink every 10 s at most: a dead sink must not flood the logs.
      if (Date.now() - lastLoggedAt > 10_000) {
        lastLoggedAt = Date.now();
        logger.warn(
          `request logs: ${sink} write failed (attempt ${attempt}, ${queue.length} queued): ${errorText(error)}`,
        );
      }
    },
    onGiveUp: (count, error) => {
      metrics.dropped.inc({ sink, reason: 'gave_up' }, count);
      logger.error(`request logs: ${sink} gave up a batch of ${count}: ${errorText(error)}`);
    },
    // A refused record's request id and the database's word, never its contents; one line per
    // sink every 10 s at most (a constraint that refuses every record must not flood the logs),
    // the next line saying how many were refused in between. The metric counts each.
    onRefused: (record, error) => {
      metrics.dropped.inc({ sink, reason: 'refused' });
      if (Date.now() - lastRefusalLoggedAt <= 10_000) {
        refusedSinceLine++;
        return;
      }
      lastRefusalLoggedAt = Date.now();
      const refusal = options.refusal?.(error);
      const why = refusal ? `${refusal.code}: ${errorText(refusal.message)}` : 'refused';
      const between = refusedSinceLine
        ? `; ${refusedSinceLine} more refused since the last such line`
        : '';
      refusedSinceLine = 0;
      logger.warn(
        `request logs: ${sink} refused the record of request ${record.request_id.slice(0, 128)} (${why}); dropped it, the other records are written${between}`,
      );
    },
  });
  metrics.watch({ sink, length: () => queue.length, lagSeconds: () => queue.lagSeconds() });
  if (options.refusal) metrics.dropped.inc({ sink, reason: 'refused' }, 0);
  return queue;
}

/** An error's message without stack or secrets (URLs with credentials are not echoed by pg/undici). */
export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\/\/[^/@\s]+@/g, '//***@').slice(0, 300);
}
