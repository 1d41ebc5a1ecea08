import type { NetworkConfig } from '../../config/network-config';
import type { ExportConfig } from '../../config/request-logs-config';
import type { ExportSink } from './export-sink';

/** The sink of one export; its SDK is loaded only when configured (the AWS SDK alone is heavy). */
export async function createSink(
  config: ExportConfig,
  replicaId: string,
  egress: NetworkConfig['egress'],
): Promise<ExportSink> {
  switch (config.type) {
    case 's3':
      return new (await import('./s3-sink')).S3Sink(config, replicaId, egress);
    case 'otlp':
      return new (await import('./otlp-sink')).OtlpSink(config, replicaId);
    case 'http':
      return new (await import('./http-sink')).HttpSink(config);
  }
}
