import { Global, Module } from '@nestjs/common';
import { CallEvents } from './call-events';

/** The per-call event bus, one per application. */
@Global()
@Module({ providers: [CallEvents], exports: [CallEvents] })
export class CallModule {}
