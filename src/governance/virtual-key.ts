import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../config/load-governance-config';

export const VIRTUAL_KEY_PREFIX = 'gvk-';

/** A new virtual key: 32 random bytes, base64url, behind a prefix secret scanners can match. */
export function generateVirtualKey(): string {
  return `${VIRTUAL_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The first characters of a key, enough to tell keys apart in a listing, far too few to use. */
export function keyHint(key: string): string {
  return `${key.slice(0, VIRTUAL_KEY_PREFIX.length + 4)}...`;
}

/**
 * The key a caller presents: `Authorization: Bearer <key>`, or `x-api-key` (what the Anthropic
 * SDK sends; accepted on every path, since some OpenAI-compatible clients send it too).
 */
export function presentedKey(
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.trim() ? apiKey.trim() : undefined;
}

/** Compares two SHA-256 hex digests in constant time. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** Whether a presented secret is the one whose digest is kept, compared in constant time. */
export function secretMatches(presented: string, keptSha256: string): boolean {
  return digestsEqual(sha256Hex(presented), keptSha256);
}
