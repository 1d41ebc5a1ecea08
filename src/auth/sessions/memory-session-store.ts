import type { Session } from './session';
import type { SessionStore } from './session-store';

interface Expiring<T> {
  value: T;
  until: number;
}

/** Sessions in this process (no REDIS_URL): one replica only, gone on restart. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, Expiring<Session>>();
  private readonly entries = new Map<string, Expiring<string>>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  save(session: Session, ttlMs: number): Promise<void> {
    this.sweep();
    this.sessions.set(session.id, { value: structuredClone(session), until: this.now() + ttlMs });
    return Promise.resolve();
  }

  get(id: string): Promise<Session | undefined> {
    const found = live(this.sessions, id, this.now());
    return Promise.resolve(found ? structuredClone(found) : undefined);
  }

  delete(id: string): Promise<boolean> {
    const had = live(this.sessions, id, this.now()) !== undefined;
    this.sessions.delete(id);
    return Promise.resolve(had);
  }

  list(): Promise<Session[]> {
    this.sweep(true);
    return Promise.resolve([...this.sessions.values()].map((e) => structuredClone(e.value)));
  }

  putOnce(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.sweep();
    if (live(this.entries, key, this.now()) !== undefined) return Promise.resolve(false);
    this.entries.set(key, { value, until: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  take(key: string): Promise<string | undefined> {
    const value = live(this.entries, key, this.now());
    this.entries.delete(key);
    return Promise.resolve(value);
  }

  peek(key: string): Promise<string | undefined> {
    return Promise.resolve(live(this.entries, key, this.now()));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Drops what has expired, at most once a minute unless asked. */
  private sweep(force = false): void {
    const now = this.now();
    if (!force && now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const map of [this.sessions, this.entries] as Map<string, Expiring<unknown>>[]) {
      for (const [key, entry] of map) if (entry.until <= now) map.delete(key);
    }
  }
}

function live<T>(map: Map<string, Expiring<T>>, key: string, now: number): T | undefined {
  const entry = map.get(key);
  if (!entry) return undefined;
  if (entry.until <= now) {
    map.delete(key);
    return undefined;
  }
  return entry.value;
}
