import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { GuardrailsService } from './guardrails.service';

/** Input and output policies around every route's upstream call (docs/guardrails.md). */
@Module({
  imports: [ProvidersModule],
  providers: [GuardrailsService],
  exports: [GuardrailsService],
})
export class GuardrailsModule {}
