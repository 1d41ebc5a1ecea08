import { randomBytes } from 'node:crypto';
import type { Role } from '../principal';

export const ACCESS_TOKEN_PREFIX = 'gpat_';
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;
const DAY_MS = 86_400_000;

/** A personal access token as kept: its digest, never the token. */
export interface AccessTokenRecord {
  /** `pat-<hex>`: safe to log and show. */
  id: string;
  name: string;
  role: Role;
  /** Teams it acts for (developer, viewer); empty for admin and auditor. */
  teams: string[];
  /**
   * The subject of whoever made it: a person's (session), `admin-key`, or `token:<id>` for a token
   * made with another token. A caller sees and deletes the tokens descending from it (see
   * `descendantsOf`); an admin all of them.
   */
  owner: string;
  /**
   * Who answers for it where a limit counts per caller (live tails): the person whose tokens'
   * line it is in, or, for a line the admin key started, that line's first token (the admin key
   * is shared; whoever it made a token for holds that token). See `accountableFor`.
   */
  accountable?: string;
  tokenSha256: string;
  /** The token's first characters, enough to recognise it, far too few to use. */
  hint: string;
  createdAt: string;
  expiresAt: string;
}

/** What the API shows of a token: everything but its digest (and the bookkeeping of its line). */
export type AccessTokenView = Omit<AccessTokenRecord, 'tokenSha256' | 'accountable'>;

/** A new token: 32 random bytes, base64url, behind a prefix secret scanners can match. */
export function generateAccessToken(): { id: string; token: string } {
  return {
    id: `pat-${randomBytes(6).toString('hex')}`,
    token: `${ACCESS_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`,
  };
}

export function tokenHint(token: string): string {
  return `${token.slice(0, ACCESS_TOKEN_PREFIX.length + 4)}...`;
}

/** The expiry of a token made now, never past `notAfter` (a token's maker's own expiry). */
export function expiryOf(createdMs: number, days: number | undefined, notAfter?: string): string {
  const expiresMs = createdMs + (days ?? DEFAULT_TOKEN_DAYS) * DAY_MS;
  const capMs = notAfter === undefined ? Infinity : Date.parse(notAfter);
  return new Date(Math.min(expiresMs, capMs)).toISOString();
}

/** Who answers for a token (its `accountable`; for a token made before that was kept, a guess). */
export function accountableFor(record: AccessTokenRecord): string {
  const byPerson = record.owner !== 'admin-key' && !record.owner.startsWith('token:');
  return record.accountable ?? (byPerson ? record.owner : `token:${record.id}`);
}

/**
 * The tokens `owner` made, the tokens those made, and so on: what `owner` lists and may delete,
 * and what goes with it when it goes.
 */
export function descendantsOf(
  all: readonly AccessTokenRecord[],
  owner: string,
): AccessTokenRecord[] {
  const owners = new Set([owner]);
  const found: AccessTokenRecord[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const token of all) {
      if (owners.has(token.owner) && !found.includes(token)) {
        found.push(token);
        owners.add(`token:${token.id}`);
        grew = true;
      }
    }
  }
  return found;
}

export function isExpired(record: Pick<AccessTokenRecord, 'expiresAt'>, nowMs: number): boolean {
  return Date.parse(record.expiresAt) <= nowMs;
}

export function tokenView(record: AccessTokenRecord): AccessTokenView {
  const { tokenSha256: _digest, accountable: _accountable, ...view } = record;
  return view;
}
