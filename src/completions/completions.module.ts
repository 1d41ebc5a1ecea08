import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ProvidersModule } from '../providers/providers.module';
import { CompletionsController } from './completions.controller';

@Module({ imports: [ProvidersModule, GuardrailsModule], controllers: [CompletionsController] })
export class CompletionsModule {}
