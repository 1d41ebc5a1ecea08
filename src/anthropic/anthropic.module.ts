import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { MessagesController } from './messages.controller';

@Module({ imports: [ProvidersModule], controllers: [MessagesController] })
export class AnthropicModule {}
