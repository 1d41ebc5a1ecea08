import type { ChannelConfig } from '../../config/alerts-config';
import type { AlertMessage } from '../alert-message';
import type { AlertChannel } from './alert-channel';

/**
 * A channel whose configuration can change while the gateway runs (a webhook URL, a routing key,
 * an SMTP URL or a signing secret rotated in a secret store). Every send goes to the newest
 * channel, so a message queued or being retried when the secret rotates goes out with the new
 * one; the old channel is closed once its sends in flight have ended.
 */
export class LiveChannel implements AlertChannel {
  private current: AlertChannel;
  private inFlight = new Map<AlertChannel, number>();
  private retired = new Set<AlertChannel>();

  constructor(
    private config: ChannelConfig,
    private readonly make: (config: ChannelConfig) => AlertChannel,
  ) {
    this.current = make(config);
  }

  get id(): string {
    return this.current.id;
  }

  get kind(): AlertChannel['kind'] {
    return this.current.kind;
  }

  async send(message: AlertMessage): Promise<void> {
    const channel = this.current;
    this.inFlight.set(channel, (this.inFlight.get(channel) ?? 0) + 1);
    try {
      await channel.send(message);
    } finally {
      const left = (this.inFlight.get(channel) ?? 1) - 1;
      if (left > 0) this.inFlight.set(channel, left);
      else {
        this.inFlight.delete(channel);
        if (this.retired.delete(channel)) void channel.close?.().catch(() => undefined);
      }
    }
  }

  /**
   * Takes the channel's configuration as rebuilt after a secret changed; true when it differs
   * (then the next send uses it). Values are compared here and never logged.
   */
  update(config: ChannelConfig): boolean {
    if (config.kind !== this.config.kind || JSON.stringify(config) === JSON.stringify(this.config))
      return false;
    const old = this.current;
    this.current = this.make(config);
    this.config = config;
    if (this.inFlight.has(old)) this.retired.add(old);
    else void old.close?.().catch(() => undefined);
    return true;
  }

  async close(): Promise<void> {
    const all = [this.current, ...this.retired];
    this.retired.clear();
    await Promise.all(all.map((channel) => channel.close?.()));
  }
}
