import { createHmac } from 'node:crypto';
import { request } from 'undici';
import type { HttpExportConfig } from '../../config/request-logs-config';
import { LOG_SCHEMA_VERSION, type LogRecord } from '../log-record';
import type { ExportSink } from './export-sink';
import { ndjson } from './ndjson';

/**
 * The signature a receiver checks: HMAC-SHA256 over `<timestamp>.<body>` with the shared secret,
 * hex, as `t=<timestamp>,v1=<hex>` (the timestamp lets it refuse replays).
 */
export function signBatch(secret: string, timestamp: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${digest}`;
}

/** POSTs each batch as NDJSON to a SIEM or pipeline; any answer but 2xx is retried. */
export class HttpSink implements ExportSink {
  readonly name: string;

  constructor(
    private readonly config: HttpExportConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.name = config.name;
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    const body = ndjson(batch);
    const timestamp = Math.floor(this.now() / 1000);
    const response = await request(this.config.url, {
      method: 'POST',
      headers: {
        ...this.config.headers,
        'content-type': 'application/x-ndjson',
        'x-gateway-logs-schema-version': String(LOG_SCHEMA_VERSION),
        'x-gateway-batch-size': String(batch.length),
        [this.config.signatureHeader]: signBatch(this.config.secret, timestamp, body),
      },
      body,
      headersTimeout: this.config.timeoutMs,
      bodyTimeout: this.config.timeoutMs,
      signal: AbortSignal.timeout(this.config.timeoutMs),
    });
    await response.body.dump();
    if (response.statusCode < 200 || response.statusCode >= 300)
      throw new Error(`${this.name} answered ${response.statusCode}`);
  }
}
