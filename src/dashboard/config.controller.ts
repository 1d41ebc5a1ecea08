import { Controller, Get, Header, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { Requires } from '../auth/requires.decorator';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import { LiveConfig } from '../config/live-config';
import { readYamlConfig } from '../config/load-config';
import { configView, type ConfigSources } from './config-view';

/**
 * `GET /admin/config`: the effective configuration, read-only, each secret shown by where it
 * comes from (a secret manager reference, a file, a variable), never by its value.
 * `config.read`: admin and auditor.
 */
@Controller('admin')
export class ConfigController implements OnModuleDestroy {
  private config: GatewayConfig;
  private readonly sources: ConfigSources;
  private readonly unsubscribe: () => void;

  constructor(configService: ConfigService<AllConfig, true>, live: LiveConfig) {
    this.config = configService.get('gateway', { infer: true });
    // GATEWAY_CONFIG as written at start-up (only secrets change while the gateway runs).
    let yaml: Record<string, unknown> = {};
    try {
      yaml = readYamlConfig(process.env, (path) => readFileSync(path, 'utf8'));
    } catch {
      // Start-up read it already; a file changed or removed since shows no sources.
    }
    this.sources = { env: process.env, yaml };
    this.unsubscribe = live.onChange((next) => (this.config = next));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  @Get('config')
  @Requires('config.read')
  @Header('cache-control', 'no-store')
  effective() {
    return configView(this.config, this.sources);
  }
}
