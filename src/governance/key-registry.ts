import type { TeamRecord, VirtualKeyRecord } from '../config/governance-config';
import { sha256Hex } from '../config/load-governance-config';
import { digestsEqual } from './virtual-key';
import type { GovernanceStore } from './store/governance-store';

/**
 * Every virtual key (and team) this replica knows: those from GATEWAY_CONFIG, and those made through the
 * admin API (kept in the store). Looked up by SHA-256 digest, then confirmed in constant time;
 * the digest alone tells an attacker nothing about a key. With a shared store, replicas reload
 * the admin-made keys when the store's version moves (checked every `refreshMs`), so a revoke on
 * one replica holds on all of them within that time.
 */
export class KeyRegistry {
  private byDigest = new Map<string, VirtualKeyRecord>();
  private byId = new Map<string, VirtualKeyRecord>();
  private teams = new Map<string, TeamRecord>();
  private version = -1;

  constructor(
    private readonly configKeys: VirtualKeyRecord[],
    private readonly store: GovernanceStore,
    private readonly configTeams: TeamRecord[] = [],
  ) {
    this.rebuild([], []);
  }

  /** A team (config or admin-made), by id. */
  team(id: string | undefined): TeamRecord | undefined {
    return id === undefined ? undefined : this.teams.get(id);
  }

  allTeams(): TeamRecord[] {
    return [...this.teams.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  find(presented: string): VirtualKeyRecord | undefined {
    const digest = sha256Hex(presented);
    const record = this.byDigest.get(digest);
    return record && digestsEqual(record.keySha256, digest) ? record : undefined;
  }

  byKeyId(id: string): VirtualKeyRecord | undefined {
    return this.byId.get(id);
  }

  all(): VirtualKeyRecord[] {
    return [...this.byId.values()];
  }

  /** Reloads admin-made keys if the store changed; throws when the store cannot be read. */
  async refresh(force = false): Promise<void> {
    const version = await this.store.keysVersion();
    if (!force && version === this.version) return;
    const [stored, storedTeams] = await Promise.all([
      this.store.loadKeys(),
      this.store.loadTeams(),
    ]);
    this.version = version;
    this.rebuild(stored, storedTeams);
  }

  private rebuild(stored: VirtualKeyRecord[], storedTeams: TeamRecord[]): void {
    const teams = new Map<string, TeamRecord>();
    // Config teams win, as config keys do.
    for (const team of [...storedTeams, ...this.configTeams]) teams.set(team.id, team);
    this.teams = teams;
    const byDigest = new Map<string, VirtualKeyRecord>();
    const byId = new Map<string, VirtualKeyRecord>();
    // Config keys win: an admin-made key cannot shadow one the operator wrote down.
    for (const record of [...stored, ...this.configKeys]) {
      const previous = byId.get(record.id);
      if (previous) byDigest.delete(previous.keySha256);
      byId.set(record.id, record);
      if (!record.revokedAt) byDigest.set(record.keySha256, record);
    }
    this.byDigest = byDigest;
    this.byId = byId;
  }
}
