import { auditPage, parseAuditQuery } from './admin/audit-query';
import { AuditRing } from './audit-ring';

describe('AuditRing: the newest audit lines in memory, for GET /admin/audit', () => {
  function ring(capacity: number, count: number): AuditRing {
    const r = new AuditRing(capacity);
    for (let i = 1; i <= count; i++)
      r.add(1_000 + Math.floor(i / 2), { action: i % 2 ? 'a' : 'b', actor: `u${i % 3}`, n: i });
    return r;
  }

  it('keeps at most its capacity, the oldest dropped first and counted', () => {
    const r = ring(5, 12);
    expect(r.size).toBe(5);
    expect(r.dropped).toBe(7);
    expect(r.query({ limit: 100 }).data.map((s) => s.line.n)).toEqual([12, 11, 10, 9, 8]);
  });

  it('filters by actor, action and time, newest first', () => {
    const r = ring(100, 20);
    expect(r.query({ limit: 100, action: 'a', actor: 'u1' }).data.map((s) => s.line.n)).toEqual([
      19, 13, 7, 1,
    ]);
    expect(r.query({ limit: 100, fromMs: 1_008, toMs: 1_009 }).data.map((s) => s.line.n)).toEqual([
      19, 18, 17, 16,
    ]);
  });

  it('pages with next_cursor without losing or repeating a line, ties on time included', () => {
    const r = ring(100, 9);
    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = auditPage(
        r,
        parseAuditQuery({ limit: '2', ...(cursor === null ? {} : { cursor }) }),
      );
      seen.push(...page.data.map((line) => line.n));
      cursor = page.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('refuses bad parameters with a 400 naming them', () => {
    for (const [params, param] of [
      [{ limit: '1001' }, 'limit'],
      [{ from: 'soon' }, 'from'],
      [{ from: '2026-12-02', to: '2026-12-01' }, 'from'],
      [{ cursor: Buffer.from('5:x').toString('base64url') }, 'cursor'],
    ] as const)
      expect(() => parseAuditQuery(params)).toThrow(expect.objectContaining({ param }) as Error);
  });
});
