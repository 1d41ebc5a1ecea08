import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AccessModule } from './auth/access.module';
import { AlertsModule } from './alerts/alerts.module';
import { AnthropicModule } from './anthropic/anthropic.module';
import { AuthModule } from './auth/auth.module';
import { CallModule } from './call/call.module';
import { ChatModule } from './chat/chat.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { ErrorsModule } from './errors/errors.module';
import { SseModule } from './sse/sse.module';
import type { GatewayConfig } from './config/gateway-config';
import { LoggingModule } from './logging/logging.module';
import { CompletionsModule } from './completions/completions.module';
import { GovernanceModule } from './governance/governance.module';
import { HealthModule } from './health/health.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelsModule } from './models/models.module';
import { ObservabilityModule } from './observability/observability.module';
import { RequestLogsModule } from './request-logs/request-logs.module';
import { ResponsesModule } from './responses/responses.module';
import type { SecretsRuntime } from './secrets/load-config-with-secrets';
import { SecretsModule } from './secrets/secrets.module';
import { UnsupportedModule } from './unsupported/unsupported.module';

/** Composes the feature modules around one validated configuration. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, secrets?: SecretsRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ gateway: config })],
        }),
        SecretsModule.forRoot(secrets),
        CallModule,
        ErrorsModule,
        LoggingModule,
        LifecycleModule,
        HealthModule,
        MetricsModule,
        ObservabilityModule,
        SseModule,
        GovernanceModule.forRoot(config.governance),
        AccessModule,
        AuthModule.forRoot(config),
        ChatModule,
        ResponsesModule,
        CompletionsModule,
        ModelsModule,
        AnthropicModule,
        UnsupportedModule,
        RequestLogsModule,
        AlertsModule,
        DashboardModule,
      ],
    };
  }
}
