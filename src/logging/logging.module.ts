import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import type { AllConfig } from '../config/gateway-config';
import { AccessLog } from './access-log';
import { REDACTED_PATHS } from './redaction';
import { stdout } from './stdout';

/**
 * The application's own log lines, through nestjs-pino, as JSON on stdout with secret paths
 * redacted. The per-request access line is written from the call's `ended` event (AccessLog), so
 * no middleware and no child logger run per request.
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
            base: { service: 'groq-gateway' },
          },
          stdout,
        ],
        forRoutes: [],
      }),
    }),
  ],
  providers: [AccessLog],
})
export class LoggingModule {}
