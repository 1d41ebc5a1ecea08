import { Global, Module } from '@nestjs/common';
import { SseInterceptor } from './sse.interceptor';
import { SseWriter } from './sse-writer';

/** The SSE writer, for controllers that answer through it and for SseInterceptor. */
@Global()
@Module({ providers: [SseWriter, SseInterceptor], exports: [SseWriter, SseInterceptor] })
export class SseModule {}
