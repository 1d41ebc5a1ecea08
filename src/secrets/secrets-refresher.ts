import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ConfigError, type AllConfig, type GatewayConfig } from '../config/gateway-config';
import { LiveConfig } from '../config/live-config';
import { MetricsService } from '../metrics/metrics.service';
import type { SecretsRuntime } from './load-config-with-secrets';

export const SECRETS_RUNTIME = Symbol('SECRETS_RUNTIME');

/** Forced rounds (Groq 401s) come at most this often: a burst of 401s reads each secret once. */
const FORCED_ROUND_GAP_MS = 5_000;

/**
 * Reads every secret reference again every `secrets.refreshSeconds` (sooner when a Vault lease
 * ends first) and at once when asked (a Groq 401). When a value changed, the configuration is
 * rebuilt and announced on LiveConfig, whose owners apply it. A reference that cannot be read
 * keeps every last good value; it is counted and warned about once per interval.
 */
@Injectable()
export class SecretsRefresher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Secrets');
  private readonly config: GatewayConfig;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastForcedAt = -Infinity;
  private closed = false;

  constructor(
    @Inject(SECRETS_RUNTIME) private readonly runtime: SecretsRuntime,
    configService: ConfigService<AllConfig, true>,
    private readonly live: LiveConfig,
    private readonly metrics: MetricsService,
  ) {
    this.config = configService.get('gateway', { infer: true });
  }

  onModuleInit(): void {
    const { references } = this.runtime;
    for (const provider of references.providers()) this.metrics.secretRefreshFailed(provider, 0);
    this.live.setRefresher((reason) => this.refreshNow(reason));
    this.logger.log(
      `${references.size} secret reference(s) (${references.providers().join(', ')}) read; read again every ${this.config.secrets.refreshSeconds}s and on a Groq 401`,
    );
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.live.setRefresher(undefined);
    await this.running;
    await this.runtime.references.close();
  }

  /** A round now, unless one runs or a forced one ran in the last few seconds. */
  refreshNow(reason: string): void {
    const now = Date.now();
    if (this.running || now - this.lastForcedAt < FORCED_ROUND_GAP_MS) return;
    this.lastForcedAt = now;
    this.logger.log(`${reason}: reading secrets again`);
    void this.round();
  }

  /** One refresh round (also what the timer runs); resolves when it is applied. */
  round(): Promise<void> {
    if (this.running) return this.running;
    if (this.timer) clearTimeout(this.timer);
    this.running = this.readAndApply()
      .catch((error: unknown) => this.logger.warn(`secret refresh failed: ${String(error)}`))
      .finally(() => {
        this.running = undefined;
        this.schedule();
      });
    return this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    const seconds = this.runtime.references.nextRoundSeconds(this.config.secrets.refreshSeconds);
    this.timer = setTimeout(() => void this.round(), seconds * 1000);
    this.timer.unref();
  }

  private async readAndApply(): Promise<void> {
    const { references } = this.runtime;
    const round = await references.readRound();
    const intervalMs = this.config.secrets.refreshSeconds * 1000;
    for (const failure of round.failures) {
      this.metrics.secretRefreshFailed(failure.provider);
      if (references.shouldWarn(failure.reference, Date.now(), intervalMs)) {
        this.logger.warn(
          `secret ${failure.reference} (${failure.settings.join(', ')}) could not be read again: ${failure.reason}; keeping the last good values`,
        );
      }
    }
    const values = round.values;
    if (!values || round.changed.length === 0) return;
    let next: GatewayConfig;
    try {
      next = this.runtime.reload(values);
      references.applied(values);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const reference of round.changed) {
        const provider = reference.slice(0, reference.indexOf(':')).replace('+kv1', '');
        this.metrics.secretRefreshFailed(provider);
      }
      this.logger.warn(
        `secrets changed (${round.changed.join(', ')}) but make an invalid configuration: ${error.message}; keeping the last good values`,
      );
      return;
    } finally {
      values.clear();
    }
    // Sections are replaced in the one configuration object, so whoever reads it sees the new
    // values; owners that hold a value (the key pool, Redis clients) are told.
    const previous = { ...this.config };
    Object.assign(this.config, next);
    this.logger.log(
      `secret(s) changed: ${round.changed
        .map((reference) => `${reference} (${references.settingsOf(reference).join(', ')})`)
        .join(', ')}; applied without a restart`,
    );
    this.live.changed(this.config, previous);
  }
}
