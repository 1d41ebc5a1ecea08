import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { AnthropicModule } from './anthropic/anthropic.module';
import { CallModule } from './call/call.module';
import { ChatModule } from './chat/chat.module';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { SseModule } from './common/sse/sse.module';
import type { GatewayConfig } from './config/gateway-config';
import { LoggingModule } from './logging/logging.module';
import { CompletionsModule } from './completions/completions.module';
import { GovernanceModule } from './governance/governance.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelsModule } from './models/models.module';
import { ResponsesModule } from './responses/responses.module';
import { UnsupportedModule } from './unsupported/unsupported.module';

/** Composes the feature modules around one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ gateway: config })],
        }),
        CallModule,
        LoggingModule,
        LifecycleModule,
        HealthModule,
        MetricsModule,
        SseModule,
        GovernanceModule.forRoot(config.governance),
        ChatModule,
        ResponsesModule,
        CompletionsModule,
        ModelsModule,
        AnthropicModule,
        UnsupportedModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
