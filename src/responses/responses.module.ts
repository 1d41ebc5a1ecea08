import { Module } from '@nestjs/common';
import { GuardrailsModule } from '../guardrails/guardrails.module';
import { ProvidersModule } from '../providers/providers.module';
import { ResponsesController } from './responses.controller';
import { ResponsesModeService } from './responses-mode.service';

@Module({
  imports: [ProvidersModule, GuardrailsModule],
  controllers: [ResponsesController],
  providers: [ResponsesModeService],
})
export class ResponsesModule {}
