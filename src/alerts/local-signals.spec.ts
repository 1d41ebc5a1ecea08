import { LocalSignalWatch, STORE_DOWN_AFTER_MS } from './local-signals';

describe('LocalSignalWatch stores', () => {
  it('reports a store down once its probe failed for a while, with the reason it gives', () => {
    const watch = new LocalSignalWatch();
    let health: { available: boolean; reason?: string } = { available: true };
    watch.watchStore('request-logs', () => health);
    expect(watch.snapshot('a', 0, []).storesDown).toEqual([]);
    health = { available: false, reason: 'writes fail (ECONNREFUSED)' };
    expect(watch.snapshot('a', 1_000, []).storesDown).toEqual([]);
    expect(watch.snapshot('a', 1_000 + STORE_DOWN_AFTER_MS, []).storesDown).toEqual([
      { store: 'request-logs', sinceMs: 1_000, reason: 'writes fail (ECONNREFUSED)' },
    ]);
    health = { available: true };
    expect(watch.snapshot('a', 9_000, []).storesDown).toEqual([]);
  });

  it('takes a probe that throws as the store not there', () => {
    const watch = new LocalSignalWatch();
    watch.watchStore('redis', () => {
      throw new Error('no client');
    });
    watch.snapshot('a', 0, []);
    expect(watch.snapshot('a', STORE_DOWN_AFTER_MS, []).storesDown).toEqual([
      { store: 'redis', sinceMs: 0 },
    ]);
  });
});
