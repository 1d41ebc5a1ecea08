import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { LiveConfig } from '../config/live-config';
import type { SecretsRuntime } from './load-config-with-secrets';
import { SECRETS_RUNTIME, SecretsRefresher } from './secrets-refresher';

/**
 * LiveConfig for every module; with secret references configured, the refresher that keeps them
 * current. The references themselves were read before Nest started (main.ts).
 */
@Global()
@Module({})
export class SecretsModule {
  static forRoot(runtime?: SecretsRuntime): DynamicModule {
    const providers: Provider[] = [LiveConfig];
    if (runtime) providers.push({ provide: SECRETS_RUNTIME, useValue: runtime }, SecretsRefresher);
    return { module: SecretsModule, providers, exports: [LiveConfig] };
  }
}
