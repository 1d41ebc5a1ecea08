import { Module } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { destination } from 'pino';
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
        pinoHttp: [
          {
            level: config.get('gateway', { infer: true }).logLevel,
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            // Fastify already assigned the id (from x-request-id or a new UUID).
            genReqId: (request) => (request as { id?: string }).id ?? '',
            customProps: () => ({ service: 'groq-gateway' }),
            // Probes and scrapes would drown the access log.
            autoLogging: {
              ignore: (req: IncomingMessage) =>
                req.url === '/metrics' || (req.url ?? '').startsWith('/health/'),
            },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            customSuccessObject: (req: IncomingMessage, _res: ServerResponse, fields: object) => ({
              ...fields,
              ...accessLogFields(req),
            }),
            customErrorObject: (
              req: IncomingMessage,
              _res: ServerResponse,
              _error: Error,
              fields: object,
            ) => ({
              ...fields,
              ...accessLogFields(req),
            }),
          },
          // Asynchronous writes to stdout: a synchronous write per request stalls the event loop
          // whenever the reader of the pipe is slow. Flushed when the process exits.
          destination({ dest: 1, sync: false }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
