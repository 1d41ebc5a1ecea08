import { randomFillSync } from 'node:crypto';

/**
 * Random ids for requests, traces and spans from one pre-filled entropy buffer: a request costs
 * a slice of it turned into hex, and a refill (one system call) comes every few hundred requests.
 * Not for secrets: ids only need to be unique and unguessable enough not to collide.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function take(bytes: number): number {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

/** `bytes` random bytes as lowercase hex, never all zeros (W3C trace ids must not be). */
export function randomHex(bytes: number): string {
  for (;;) {
    const at = take(bytes);
    for (let i = at; i < at + bytes; i++)
      if (pool[i] !== 0) return pool.toString('hex', at, at + bytes);
  }
}

/** A version-4 UUID from the pool: the gateway's own request id when the caller sent none. */
export function newRequestId(): string {
  const at = take(16);
  pool[at + 6] = (pool[at + 6] & 0x0f) | 0x40;
  pool[at + 8] = (pool[at + 8] & 0x3f) | 0x80;
  const hex = pool.toString('hex', at, at + 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The 32 hex digits of a UUID (a request id the gateway made), for use as a trace id. */
export function uuidHex(uuid: string): string {
  return (
    uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
  );
}
