import { SeverityNumber, type Logger } from '@opentelemetry/api-logs';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  LoggerProvider,
  type LogRecordProcessor,
  type ReadableLogRecord,
  type SdkLogRecord,
} from '@opentelemetry/sdk-logs';
import type { OtlpExportConfig } from '../../config/request-logs-config';
import { LOG_FIELDS, type LogRecord } from '../log-record';
import type { ExportSink } from './export-sink';

type Attributes = Record<string, string | number | boolean>;

/** A record as OTel log attributes: its fields (nulls left out) and `log.record.uid` = id. */
export function otlpAttributes(record: LogRecord): Attributes {
  const attributes: Attributes = { 'log.record.uid': record.id };
  for (const field of LOG_FIELDS) {
    const value = record[field];
    if (value === null || value === undefined || field === 'time') continue;
    attributes[`gateway.${field}`] = typeof value === 'object' ? JSON.stringify(value) : value;
  }
  return attributes;
}

export function severityOf(status: number): { number: SeverityNumber; text: string } {
  if (status >= 500) return { number: SeverityNumber.ERROR, text: 'ERROR' };
  if (status >= 400) return { number: SeverityNumber.WARN, text: 'WARN' };
  return { number: SeverityNumber.INFO, text: 'INFO' };
}

/** Hands the SDK's records to the sink's own batch instead of the SDK's queue. */
class CollectingProcessor implements LogRecordProcessor {
  collected: SdkLogRecord[] = [];
  onEmit(record: SdkLogRecord): void {
    this.collected.push(record);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * OpenTelemetry logs over OTLP/HTTP (@opentelemetry/sdk-logs and its OTLP exporter): each record
 * is one log record, so a collector can route them anywhere it goes.
 */
export class OtlpSink implements ExportSink {
  readonly name: string;
  private readonly exporter: OTLPLogExporter;
  private readonly processor = new CollectingProcessor();
  private readonly provider: LoggerProvider;
  private readonly logger: Logger;

  constructor(config: OtlpExportConfig, replicaId: string, serviceName = 'groq-gateway') {
    this.name = config.name;
    this.exporter = new OTLPLogExporter({
      url: config.url,
      headers: config.headers,
      timeoutMillis: config.timeoutMs,
    });
    this.provider = new LoggerProvider({
      resource: resourceFromAttributes({
        'service.name': serviceName,
        'service.instance.id': replicaId,
      }),
      processors: [this.processor],
    });
    this.logger = this.provider.getLogger('groq-gateway.request-logs');
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    for (const record of batch) {
      const severity = severityOf(record.status);
      this.logger.emit({
        timestamp: new Date(record.time),
        severityNumber: severity.number,
        severityText: severity.text,
        eventName: 'gateway.request',
        body: `${record.method} ${record.path} ${record.status}`,
        attributes: otlpAttributes(record),
      });
    }
    const records: ReadableLogRecord[] = this.processor.collected;
    this.processor.collected = [];
    await new Promise<void>((resolve, reject) =>
      this.exporter.export(records, (result) =>
        result.code === ExportResultCode.SUCCESS
          ? resolve()
          : reject(result.error ?? new Error(`${this.name}: export failed`)),
      ),
    );
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
    await this.exporter.shutdown();
  }
}
