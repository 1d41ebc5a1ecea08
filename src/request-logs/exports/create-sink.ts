import type { ExportConfig } from '../../config/request-logs-config';
import type { ExportSink } from './export-sink';
import { HttpSink } from './http-sink';
import { OtlpSink } from './otlp-sink';
import { S3Sink } from './s3-sink';

export function createSink(config: ExportConfig, replicaId: string): ExportSink {
  switch (config.type) {
    case 's3':
      return new S3Sink(config, replicaId);
    case 'otlp':
      return new OtlpSink(config, replicaId);
    case 'http':
      return new HttpSink(config);
  }
}
