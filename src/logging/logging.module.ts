import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { AllConfig } from '../config/gateway-config';
import { accessLogFields } from './access-log-fields';
import { REDACTED_PATHS } from './redaction';

/**
 * JSON log lines on stdout (pino): one per request with the request id, model, key id, status,
 * latency, attempts and tokens; headers are not logged and secret paths are redacted.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AllConfig, true>) => ({
        pinoHttp: {
          level: config.get('gateway', { infer: true }).logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // Fastify already assigned the id (from x-request-id or a new UUID).
          genReqId: (request) => (request as { id?: string }).id ?? '',
          customProps: () => ({ service: 'groq-gateway' }),
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url,
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
