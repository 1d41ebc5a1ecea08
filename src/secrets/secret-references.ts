import { createHash } from 'node:crypto';
import { ConfigError } from '../config/gateway-config';
import type { SecretSetting, SecretValues } from '../config/secret-settings';
import {
  parseSecretReference,
  type SecretProvider,
  type SecretReference,
} from './secret-reference';
import { describeSdkError, type ReadSecret } from './secret-resolver';

/** Reads one reference; SecretResolvers in the gateway, fakes in unit specs. */
export interface ReferenceReader {
  read(reference: SecretReference): Promise<ReadSecret>;
  close?(): Promise<void>;
}

interface Entry {
  reference: SecretReference;
  /** The settings written with this reference, for messages. */
  settings: string[];
  /** SHA-256 of the value last applied: enough to see a change, useless to an attacker. */
  digest?: string;
  leaseSeconds?: number;
  lastWarnedAt: number;
}

export interface ReadFailure {
  reference: string;
  provider: SecretProvider;
  settings: string[];
  reason: string;
}

export interface RefreshRound {
  /** Every reference's value, when all were read; undefined when one failed (nothing changes). */
  values?: Map<string, string>;
  /** References whose value differs from the one applied. */
  changed: string[];
  failures: ReadFailure[];
}

/**
 * The configuration's secret references: read all at start-up, then again each round. Values are
 * handed out for one configuration load and not kept; only their digests are, to see changes.
 */
export class SecretReferences {
  private readonly entries: Entry[];

  constructor(
    settings: readonly SecretSetting[],
    private readonly reader: ReferenceReader,
  ) {
    const byText = new Map<string, Entry>();
    for (const { setting, reference } of settings) {
      const existing = byText.get(reference);
      if (existing) {
        existing.settings.push(setting);
        continue;
      }
      let parsed: SecretReference;
      try {
        parsed = parseSecretReference(reference);
      } catch (error) {
        throw new ConfigError(setting, (error as Error).message);
      }
      byText.set(reference, { reference: parsed, settings: [setting], lastWarnedAt: -Infinity });
    }
    this.entries = [...byText.values()];
  }

  get size(): number {
    return this.entries.length;
  }

  providers(): SecretProvider[] {
    return [...new Set(this.entries.map((entry) => entry.reference.provider))];
  }

  references(): string[] {
    return this.entries.map((entry) => entry.reference.text);
  }

  /** Start-up: every reference once; the first that cannot be read is a ConfigError naming it. */
  async readAll(): Promise<Map<string, string>> {
    const round = await this.readRound();
    const failure = round.failures[0];
    if (failure) {
      const more = round.failures.length > 1 ? ` (and ${round.failures.length - 1} more)` : '';
      throw new ConfigError(
        failure.settings[0],
        `cannot read secret ${failure.reference}: ${failure.reason}${more}`,
      );
    }
    return round.values as Map<string, string>;
  }

  /** Records the values a configuration was built from, as digests. */
  applied(values: SecretValues): void {
    for (const entry of this.entries) {
      const value = values.get(entry.reference.text);
      if (value !== undefined) entry.digest = digest(value);
    }
  }

  /** Reads every reference again. */
  async readRound(): Promise<RefreshRound> {
    const values = new Map<string, string>();
    const failures: ReadFailure[] = [];
    const changed: string[] = [];
    await Promise.all(
      this.entries.map(async (entry) => {
        try {
          const read = await this.reader.read(entry.reference);
          values.set(entry.reference.text, read.value);
          entry.leaseSeconds = read.leaseSeconds;
          if (entry.digest !== undefined && entry.digest !== digest(read.value))
            changed.push(entry.reference.text);
        } catch (error) {
          failures.push({
            reference: entry.reference.text,
            provider: entry.reference.provider,
            settings: entry.settings,
            reason: describeSdkError(error),
          });
        }
      }),
    );
    // In configuration order, whatever order the reads finished in.
    const order = this.references();
    failures.sort((a, b) => order.indexOf(a.reference) - order.indexOf(b.reference));
    return { values: failures.length === 0 ? values : undefined, changed, failures };
  }

  /** Seconds to the next round: the refresh interval, or sooner when a lease (Vault) ends first. */
  nextRoundSeconds(refreshSeconds: number): number {
    const leases = this.entries
      .map((entry) => entry.leaseSeconds)
      .filter((lease): lease is number => lease !== undefined && lease > 0);
    return Math.max(1, Math.min(refreshSeconds, ...leases));
  }

  /** Whether a failure of this reference should be logged now (once per interval at most). */
  shouldWarn(reference: string, now: number, intervalMs: number): boolean {
    const entry = this.entries.find((e) => e.reference.text === reference);
    if (!entry || now - entry.lastWarnedAt < intervalMs) return false;
    entry.lastWarnedAt = now;
    return true;
  }

  settingsOf(reference: string): string[] {
    return this.entries.find((e) => e.reference.text === reference)?.settings ?? [];
  }

  async close(): Promise<void> {
    await this.reader.close?.();
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
