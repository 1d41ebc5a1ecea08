import { Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { AdminMeController } from './admin-me.controller';
import { AuthProvidersController } from './auth-providers.controller';
import { ConfigController } from './config.controller';
import { GroqKeysController } from './groq-keys.controller';
import { GuardrailActivity } from './guardrail-activity.service';
import { GuardrailsController } from './guardrails.controller';

/** The dashboard's own admin endpoints (its files are served by serve-ui.ts, outside Nest). */
@Module({
  imports: [ProvidersModule],
  controllers: [
    AdminMeController,
    AuthProvidersController,
    ConfigController,
    GroqKeysController,
    GuardrailsController,
  ],
  providers: [GuardrailActivity],
})
export class DashboardModule {}
