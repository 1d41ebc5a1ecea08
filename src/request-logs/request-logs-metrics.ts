import { Counter, Gauge, type Registry } from 'prom-client';

/** Queue sizes and ages the gauges read at scrape time. */
export interface QueueProbe {
  sink: string;
  length(): number;
  lagSeconds(): number;
}

/** The request log store's and exports' metrics, one `sink` label each ("store" or the export's name). */
export class RequestLogsMetrics {
  readonly dropped: Counter<'sink' | 'reason'>;
  readonly written: Counter<'sink'>;
  readonly batchesFailed: Counter<'sink'>;
  private readonly probes: QueueProbe[] = [];

  constructor(registry: Registry) {
    this.dropped = new Counter({
      name: 'groq_gateway_request_logs_dropped_total',
      help: 'Request log records lost, by sink and reason (queue_full, gave_up, shutdown, refused: the store refused the record for good)',
      labelNames: ['sink', 'reason'],
      registers: [registry],
    });
    this.written = new Counter({
      name: 'groq_gateway_request_logs_written_total',
      help: 'Request log records written to the store or exported, by sink',
      labelNames: ['sink'],
      registers: [registry],
    });
    this.batchesFailed = new Counter({
      name: 'groq_gateway_request_logs_batches_failed_total',
      help: 'Failed attempts to write or export a batch of request log records, by sink',
      labelNames: ['sink'],
      registers: [registry],
    });
    const probes = this.probes;
    new Gauge({
      name: 'groq_gateway_request_logs_queue_length',
      help: 'Request log records waiting to be written or exported, by sink',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const probe of probes) this.set({ sink: probe.sink }, probe.length());
      },
    });
    new Gauge({
      name: 'groq_gateway_request_logs_lag_seconds',
      help: 'Age of the oldest request log record still waiting, by sink',
      labelNames: ['sink'],
      registers: [registry],
      collect() {
        for (const probe of probes) this.set({ sink: probe.sink }, probe.lagSeconds());
      },
    });
  }

  watch(probe: QueueProbe): void {
    this.probes.push(probe);
    this.dropped.inc({ sink: probe.sink, reason: 'queue_full' }, 0);
    this.written.inc({ sink: probe.sink }, 0);
    this.batchesFailed.inc({ sink: probe.sink }, 0);
  }
}
