import { Module } from '@nestjs/common';
import { TracingService } from './tracing.service';

/** OpenTelemetry tracing: a span per call, started by the request hook, ended by the call's end. */
@Module({ providers: [TracingService], exports: [TracingService] })
export class ObservabilityModule {}
