import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { ChatController } from './chat.controller';

@Module({ imports: [ProvidersModule], controllers: [ChatController] })
export class ChatModule {}
