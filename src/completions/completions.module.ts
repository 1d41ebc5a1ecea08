import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { CompletionsController } from './completions.controller';

@Module({ imports: [ProvidersModule], controllers: [CompletionsController] })
export class CompletionsModule {}
