import { Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ErrorEnvelopes } from './error-envelopes';
import { OpenAiExceptionFilter } from './openai-exception.filter';

/** The global exception filter and the per-family envelopes it answers in. */
@Global()
@Module({
  providers: [ErrorEnvelopes, { provide: APP_FILTER, useClass: OpenAiExceptionFilter }],
  exports: [ErrorEnvelopes],
})
export class ErrorsModule {}
