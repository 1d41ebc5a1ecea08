import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ProvidersModule } from '../providers/providers.module';
import { ChatController } from './chat.controller';

@Module({ imports: [ProvidersModule, GuardrailsModule], controllers: [ChatController] })
export class ChatModule {}
