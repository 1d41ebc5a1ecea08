import { newRecordId } from './record-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRecordId', () => {
  it('is a version-7 UUID whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 10, 30, 23, 30);
    const id = newRecordId(now + 60_000);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(now + 60_000);
  });

  it('sorts in the order drawn, within one millisecond and past 4096 of them', () => {
    const at = Date.now() + 120_000;
    const ids = Array.from({ length: 5000 }, () => newRecordId(at));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    // A clock that steps back does not break the order either.
    const later = newRecordId(at - 10_000);
    expect(later > ids[ids.length - 1]).toBe(true);
  });
});
