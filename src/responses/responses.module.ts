import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { ResponsesController } from './responses.controller';

@Module({ imports: [ProvidersModule], controllers: [ResponsesController] })
export class ResponsesModule {}
