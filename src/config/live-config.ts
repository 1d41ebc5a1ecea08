import { Injectable } from '@nestjs/common';
import type { GatewayConfig } from './gateway-config';

export type ConfigChangeListener = (next: GatewayConfig, previous: GatewayConfig) => void;

/**
 * Secrets that change while the gateway runs (a rotated Groq key, admin key or Redis URL). The
 * secrets refresher rebuilds the configuration and announces it here; each owner applies what
 * concerns it (the key pool its keys, governance its admin key, Redis clients their URL).
 * Always present, so owners subscribe whether or not references are configured.
 */
@Injectable()
export class LiveConfig {
  private readonly listeners = new Set<ConfigChangeListener>();
  private refresher?: (reason: string) => void;

  /** Told of each applied change; returns the unsubscribe function. */
  onChange(listener: ConfigChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called by the secrets refresher once `next` is in place. */
  changed(next: GatewayConfig, previous: GatewayConfig): void {
    for (const listener of this.listeners) listener(next, previous);
  }

  /** Asks for the secrets to be read again now, e.g. after Groq answered 401 for a key. */
  requestRefresh(reason: string): void {
    this.refresher?.(reason);
  }

  setRefresher(refresher: ((reason: string) => void) | undefined): void {
    this.refresher = refresher;
  }
}
