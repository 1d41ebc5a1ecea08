import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ProvidersModule } from '../providers/providers.module';
import { ResponsesController } from './responses.controller';

@Module({ imports: [ProvidersModule, GuardrailsModule], controllers: [ResponsesController] })
export class ResponsesModule {}
