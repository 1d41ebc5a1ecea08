import { randomHex, timeOrderedUuid, uuidHex } from './ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomHex', () => {
  it('gives two lowercase hex digits per byte, different each time', () => {
    const drawn = Array.from({ length: 2000 }, () => randomHex(16));
    for (const hex of drawn) expect(hex).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(drawn).size).toBe(drawn.length);
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('uses every hex digit in every position (no digit or position is stuck)', () => {
    const seen = Array.from({ length: 16 }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) [...randomHex(8)].forEach((digit, at) => seen[at].add(digit));
    for (const digits of seen) expect(digits.size).toBe(16);
  });
});

describe('timeOrderedUuid', () => {
  it('is a version-7 UUID: the time first, then the counter, the variant and random bits', () => {
    const at = Date.now() + 300_000;
    const first = timeOrderedUuid(at);
    const second = timeOrderedUuid(at);
    for (const id of [first, second]) expect(id).toMatch(UUID_V7);
    expect(parseInt(uuidHex(first).slice(0, 12), 16)).toBe(at);
    expect(parseInt(first.slice(15, 18), 16)).toBe(0);
    expect(parseInt(second.slice(15, 18), 16)).toBe(1);
  });

  it('spreads the random bits: every variant digit and every random digit appears', () => {
    const variants = new Set<string>();
    const last = Array.from({ length: 12 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) {
      const id = timeOrderedUuid();
      variants.add(id[19]);
      [...id.slice(24)].forEach((digit, at) => last[at].add(digit));
    }
    expect([...variants].sort()).toEqual(['8', '9', 'a', 'b']);
    for (const digits of last) expect(digits.size).toBe(16);
  });

  it('carries the counter past 4096 ids in one millisecond into the next millisecond', () => {
    const at = Date.now() + 600_000;
    const ids = Array.from({ length: 4100 }, () => timeOrderedUuid(at));
    expect(ids[4095].slice(15, 18)).toBe('fff');
    expect(parseInt(uuidHex(ids[4096]).slice(0, 12), 16)).toBe(at + 1);
    expect(ids[4096].slice(15, 18)).toBe('000');
    expect([...ids].sort()).toEqual(ids);
  });
});
