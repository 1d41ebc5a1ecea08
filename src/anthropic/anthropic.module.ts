import { Module, OnModuleInit } from '@nestjs/common';
import { ErrorEnvelopes } from '../errors/error-envelopes';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ProvidersModule } from '../providers/providers.module';
import { toAnthropicError } from './anthropic-errors';
import { MessagesController } from './messages.controller';

@Module({ imports: [ProvidersModule, GuardrailsModule], controllers: [MessagesController] })
export class AnthropicModule implements OnModuleInit {
  constructor(private readonly envelopes: ErrorEnvelopes) {}

  /** Errors raised on /anthropic before the controller (body parsing) answer in its envelope too. */
  onModuleInit(): void {
    this.envelopes.register('anthropic', toAnthropicError);
  }
}
