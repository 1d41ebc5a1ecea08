import type { NetworkConfig } from '../../config/network-config';
import { awsRequestHandler } from '../../network/aws-request-handler';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { S3ExportConfig } from '../../config/request-logs-config';
import { LOG_SCHEMA_VERSION, type LogRecord } from '../log-record';
import type { ExportSink } from './export-sink';
import { ndjson } from './ndjson';

const gzipAsync = promisify(gzip);

/** `prefix/yyyy/mm/dd/hh/`: the hour (UTC) a record's call started in. */
export function slicePrefix(prefix: string, timeIso: string): string {
  const [date, rest] = timeIso.split('T');
  const [yyyy, mm, dd] = date.split('-');
  const hh = rest.slice(0, 2);
  return `${prefix ? `${prefix}/` : ''}${yyyy}/${mm}/${dd}/${hh}/`;
}

/** Records grouped by their hour slice, in first-seen order. */
export function bySlice(prefix: string, records: readonly LogRecord[]): Map<string, LogRecord[]> {
  const slices = new Map<string, LogRecord[]>();
  for (const record of records) {
    const key = slicePrefix(prefix, record.time);
    const list = slices.get(key);
    if (list) list.push(record);
    else slices.set(key, [record]);
  }
  return slices;
}

/**
 * Gzip NDJSON objects, one per hour slice per batch, named `<replica>-<seq>.ndjson.gz` with a
 * sequence that only grows (across restarts too: it starts from the clock), so no object is
 * overwritten. Credentials come from the AWS default chain (env, profile, IRSA, instance role).
 */
export class S3Sink implements ExportSink {
  readonly name: string;
  private readonly client: S3Client;
  private lastSeq = 0;

  constructor(
    private readonly config: S3ExportConfig,
    private readonly replicaId: string,
    egress: NetworkConfig['egress'],
  ) {
    this.name = config.name;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      // The queue retries with its own backoff and counts failures.
      maxAttempts: 1,
      // Checksums only where S3 requires them: S3-compatible servers differ on the rest.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      // Through HTTP(S)_PROXY and UPSTREAM_CA_FILE when set (the SDK's own handler ignores them).
      requestHandler: awsRequestHandler(egress),
    });
  }

  async send(batch: readonly LogRecord[]): Promise<void> {
    for (const [slice, records] of bySlice(this.config.prefix, batch)) {
      // A Buffer of known length (never a stream): some S3-compatible servers store the
      // aws-chunked framing of streamed uploads as the object.
      const body = await gzipAsync(Buffer.from(ndjson(records)));
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: `${slice}${this.replicaId}-${this.nextSeq()}.ndjson.gz`,
          Body: body,
          ContentLength: body.length,
          ContentType: 'application/gzip',
          Metadata: {
            'schema-version': String(LOG_SCHEMA_VERSION),
            records: String(records.length),
          },
        }),
        // A hung connection fails the batch (retried) instead of stalling the export for good.
        { abortSignal: AbortSignal.timeout(this.config.timeoutMs) },
      );
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }

  private nextSeq(): number {
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now());
    return this.lastSeq;
  }
}
