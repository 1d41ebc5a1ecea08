import type { Session } from './session';

/**
 * Where sessions live: Redis with REDIS_URL (shared by every replica), else this process's
 * memory. Besides sessions it keeps short-lived one-time entries: logins under way (state, nonce,
 * PKCE verifier) and SAML assertion ids already used.
 */
export interface SessionStore {
  /** Stores (creates or replaces) a session that the store forgets after `ttlMs`. */
  save(session: Session, ttlMs: number): Promise<void>;
  get(id: string): Promise<Session | undefined>;
  /** True when there was such a session. */
  delete(id: string): Promise<boolean>;
  /** Every live session. */
  list(): Promise<Session[]>;
  /** Stores `value` under `key` unless the key exists; false when it did (a replay). */
  putOnce(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Reads and removes `key` at once, so an entry is used at most once across replicas. */
  take(key: string): Promise<string | undefined>;
  /** Reads `key` without removing it. */
  peek(key: string): Promise<string | undefined>;
  close(): Promise<void>;
}
