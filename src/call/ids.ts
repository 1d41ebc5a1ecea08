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

/** Two hex digits per byte value, for the UUID's few single bytes. */
const HEX: readonly string[] = Array.from({ length: 256 }, (_, byte) =>
  byte.toString(16).padStart(2, '0'),
);

/** `bytes` random bytes as lowercase hex, never all zeros (W3C trace ids must not be). */
export function randomHex(bytes: number): string {
  for (;;) {
    const at = take(bytes);
    for (let i = at; i < at + bytes; i++)
      if (pool[i] !== 0) return pool.toString('hex', at, at + bytes);
  }
}

let lastMs = 0;
let counter = 0;
/** `xxxxxxxx-xxxx-7` for `lastMs`: made once per millisecond, not once per id. */
let timePrefix = '';

function setTime(ms: number): void {
  lastMs = ms;
  counter = 0;
  const time = ms.toString(16).padStart(12, '0');
  timePrefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
}

/**
 * A version-7 UUID (RFC 9562): the time in milliseconds first, then a counter within the
 * millisecond, then 62 random bits from the pool. Ids drawn by one process sort in the order they
 * were drawn, so an index on them grows at its end: a random (version-4) id lands on a random page
 * of a B-tree, which measured about 40 % of a request log row's write cost for the record id and
 * again as much for the request id. Still unique across replicas (the random bits); as a trace id
 * its rightmost 56 bits are random, as W3C Trace Context's random flag asks.
 *
 * Two are drawn per logged call (request id, record id), so the time part is made once per
 * millisecond and the random bytes come from a table rather than Buffer#toString.
 */
export function timeOrderedUuid(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    setTime(nowMs);
  } else if (++counter > 0xfff) {
    // 4096 ids in one millisecond: borrow the next one, so the order still holds.
    setTime(lastMs + 1);
  }
  const at = take(8);
  return (
    timePrefix +
    HEX[counter >> 8][1] +
    HEX[counter & 0xff] +
    '-' +
    // The variant's two bits (10) and six random ones.
    HEX[(pool[at] & 0x3f) | 0x80] +
    HEX[pool[at + 1]] +
    '-' +
    HEX[pool[at + 2]] +
    HEX[pool[at + 3]] +
    HEX[pool[at + 4]] +
    HEX[pool[at + 5]] +
    HEX[pool[at + 6]] +
    HEX[pool[at + 7]]
  );
}

/** The gateway's own request id when the caller sent none: time-ordered (see above). */
export function newRequestId(): string {
  return timeOrderedUuid();
}

/** The 32 hex digits of a UUID (a request id the gateway made), for use as a trace id. */
export function uuidHex(uuid: string): string {
  return (
    uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
  );
}
