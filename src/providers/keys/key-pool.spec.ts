import { GatewayError } from '../../common/errors/gateway-error';
import { KeyPool } from './key-pool';

const key = (id: string, weight = 1, models: string[] = []) => ({
  id,
  key: `gsk_${id}`,
  weight,
  models,
});
const ok = { status: 200, latencyMs: 10, headers: {} };

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('KeyPool', () => {
  it('spreads requests by weight, evenly interleaved', () => {
    const pool = new KeyPool([key('a', 3), key('b', 1)]);
    const picks = Array.from({ length: 8 }, () => pool.pick('m').id);
    expect(picks.filter((id) => id === 'a')).toHaveLength(6);
    expect(picks.slice(0, 4).filter((id) => id === 'b')).toHaveLength(1);
  });

  it('only picks keys whose model list admits the model', () => {
    const pool = new KeyPool([
      key('big', 1, ['llama-3.3-70b-versatile']),
      key('small', 1, ['llama-3.1-8b-instant']),
    ]);
    expect(pool.pick('llama-3.1-8b-instant').id).toBe('small');
    expect(pool.pick('llama-3.3-70b-versatile').id).toBe('big');
  });

  it('refuses with 403 when no key may serve the model', () => {
    const pool = new KeyPool([key('small', 1, ['llama-3.1-8b-instant'])]);
    expect(() => pool.pick('openai/gpt-oss-120b')).toThrow(GatewayError);
  });

  it('prefers keys this request has not tried', () => {
    const pool = new KeyPool([key('a'), key('b')]);
    for (let i = 0; i < 4; i++) expect(pool.pick('m', 0, new Set(['a'])).id).toBe('b');
  });

  it('rests a key after a 429 until retry-after has passed', () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '2' }, model: 'm' });
    for (let i = 0; i < 4; i++) expect(pool.pick('m').id).toBe('b');
    time.advance(2001);
    expect(new Set(Array.from({ length: 6 }, () => pool.pick('m').id))).toContain('a');
  });

  it('shows in its status which model rests on a key until when, and no time once that has passed', () => {
    const time = clock();
    const pool = new KeyPool([key('a')], undefined, time.now);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '2' }, model: 'm' });
    pool.report('a', { ...ok, model: 'n' });
    const until = new Date(time.now() + 2000).toISOString();
    expect(pool.status()[0]).toMatchObject({
      available: true, // 'n' is served
      restingUntil: until,
      models: [
        { model: 'm', rateLimited: true, restingUntil: until },
        { model: 'n', rateLimited: false },
      ],
    });
    time.advance(2001);
    expect(pool.status()[0].restingUntil).toBeUndefined();
    expect(pool.status()[0].models[0]).toMatchObject({ model: 'm', rateLimited: false });
  });

  it('says a key is not available when every model it served rests', () => {
    const time = clock();
    const pool = new KeyPool([key('a')], undefined, time.now);
    expect(pool.status()[0].available).toBe(true);
    pool.report('a', { ...ok, model: '' });
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '2' }, model: 'm' });
    expect(pool.status()[0].available).toBe(false);
    time.advance(2001);
    expect(pool.status()[0].available).toBe(true);
  });

  it('rests a key after a 429 for that model only: Groq limits each model on its own', () => {
    const time = clock();
    const pool = new KeyPool([key('a')], undefined, time.now);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '30' }, model: 'm' });
    expect(() => pool.pick('m')).toThrow(
      /model 'm' is rate limited by Groq for it. Retry after 30s/,
    );
    expect(pool.hasAvailable('m', 0, new Set())).toBe(false);
    expect(pool.pick('n').id).toBe('a');
    expect(pool.hasAvailable('n', 0, new Set())).toBe(true);
    expect(pool.pick('').id).toBe('a');
  });

  it("reads Groq's remaining requests and tokens per model", () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    pool.report('a', {
      status: 200,
      latencyMs: 5,
      headers: {
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '2m',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-reset-tokens': '10s',
      },
      model: 'm',
    });
    for (let i = 0; i < 3; i++) expect(pool.pick('m', 10).id).toBe('b');
    expect(new Set(Array.from({ length: 4 }, () => pool.pick('n', 10).id))).toEqual(
      new Set(['a', 'b']),
    );
  });

  it('answers the retry-after of the model asked, not of another model resting longer', () => {
    const time = clock();
    const pool = new KeyPool([key('a')], undefined, time.now);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '60' }, model: 'n' });
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '4' }, model: 'm' });
    expect(() => pool.pick('m')).toThrow(
      expect.objectContaining({ status: 429, headers: { 'retry-after': '4' } }),
    );
  });

  it('says when a 429 rests a key, and takes rests other replicas saw', () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    const told: Array<[string, string, number]> = [];
    pool.onRest = (id, model, ms) => told.push([id, model, ms]);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '2' }, model: 'm' });
    pool.report('a', { ...ok, model: 'm' });
    expect(told).toEqual([['a', 'm', 2000]]);
    pool.rest('b', 'm', 5000);
    expect(() => pool.pick('m')).toThrow(expect.objectContaining({ status: 429 }));
    expect(pool.pick('n').id).toBeDefined();
    time.advance(2001);
    expect(pool.pick('m').id).toBe('a');
  });

  it('rests on x-ratelimit-reset-* when a 429 has no retry-after', () => {
    const time = clock();
    const pool = new KeyPool([key('a')], undefined, time.now);
    pool.report('a', {
      status: 429,
      latencyMs: 5,
      headers: { 'x-ratelimit-reset-tokens': '1.5s' },
      model: 'm',
    });
    expect(() => pool.pick('m')).toThrow(/rate limited/);
    time.advance(1600);
    expect(pool.pick('m').id).toBe('a');
  });

  it('answers 429 with retry-after when every key rests', () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '3' }, model: 'm' });
    pool.report('b', { status: 429, latencyMs: 5, headers: { 'retry-after': '9' }, model: 'm' });
    try {
      pool.pick('m');
      throw new Error('expected a 429');
    } catch (error) {
      expect((error as GatewayError).status).toBe(429);
      expect((error as GatewayError).headers['retry-after']).toBe('3');
    }
  });

  it('skips a key whose remaining tokens cannot take the request, until its reset', () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    pool.report('a', {
      status: 200,
      latencyMs: 5,
      headers: {
        'x-ratelimit-remaining-tokens': '50',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-reset-tokens': '10s',
      },
      model: 'm',
    });
    for (let i = 0; i < 4; i++) expect(pool.pick('m', 100).id).toBe('b');
    expect(pool.hasAvailable('m', 10, new Set(['b']))).toBe(true);
    time.advance(10_001);
    expect(pool.hasAvailable('m', 100, new Set(['b']))).toBe(true);
  });

  it('skips a key with no requests left for the day until its reset', () => {
    const time = clock();
    const pool = new KeyPool([key('a'), key('b')], undefined, time.now);
    pool.report('a', {
      status: 200,
      latencyMs: 5,
      headers: { 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2m' },
      model: 'm',
    });
    for (let i = 0; i < 3; i++) expect(pool.pick('m').id).toBe('b');
  });

  it('gives a failing key a smaller share', () => {
    const pool = new KeyPool([key('a'), key('b')], { failureThreshold: 100, cooldownMs: 1 });
    for (let i = 0; i < 5; i++) pool.report('a', { status: 500, latencyMs: 5, headers: {} });
    pool.report('b', ok);
    const picks = Array.from({ length: 40 }, () => pool.pick('m').id);
    expect(picks.filter((id) => id === 'a').length).toBeLessThan(
      picks.filter((id) => id === 'b').length / 2,
    );
  });

  it('gives a slow key a smaller share', () => {
    const pool = new KeyPool([key('fast'), key('slow')]);
    pool.report('fast', { status: 200, latencyMs: 10, headers: {} });
    pool.report('slow', { status: 200, latencyMs: 50, headers: {} });
    const picks = Array.from({ length: 30 }, () => pool.pick('m').id);
    expect(picks.filter((id) => id === 'slow').length).toBeLessThan(
      picks.filter((id) => id === 'fast').length / 2,
    );
  });

  describe('circuit breaker', () => {
    it('opens after consecutive failures, lets one probe through after the cool-down, closes on success', () => {
      const time = clock();
      const pool = new KeyPool(
        [key('a'), key('b')],
        { failureThreshold: 3, cooldownMs: 1000 },
        time.now,
      );
      for (let i = 0; i < 3; i++)
        pool.report('a', { status: 0, latencyMs: 5, headers: {}, model: 'm' });
      expect(pool.status().find((s) => s.id === 'a')?.breaker).toBe('open');
      for (let i = 0; i < 4; i++) expect(pool.pick('m').id).toBe('b');
      time.advance(1001);
      const probe = Array.from({ length: 4 }, () => pool.pick('m').id).filter((id) => id === 'a');
      expect(probe).toHaveLength(1);
      pool.report('a', { ...ok, model: 'm' });
      expect(pool.hasAvailable('m', 0, new Set(['b']))).toBe(true);
    });

    it('re-opens when the probe fails', () => {
      const time = clock();
      const pool = new KeyPool(
        [key('a'), key('b')],
        { failureThreshold: 2, cooldownMs: 1000 },
        time.now,
      );
      pool.report('a', { status: 503, latencyMs: 5, headers: {}, model: 'm' });
      pool.report('a', { status: 503, latencyMs: 5, headers: {}, model: 'm' });
      time.advance(1001);
      expect(pool.pick('m', 0, new Set(['b'])).id).toBe('a');
      pool.report('a', { status: 503, latencyMs: 5, headers: {}, model: 'm' });
      expect(pool.status()[0].breaker).toBe('open');
      for (let i = 0; i < 3; i++) expect(pool.pick('m').id).toBe('b');
    });

    it('is per model: a model failing on a key leaves the key for other models', () => {
      const pool = new KeyPool([key('a'), key('b')], { failureThreshold: 2, cooldownMs: 1000 });
      pool.report('a', { status: 500, latencyMs: 5, headers: {}, model: 'broken' });
      pool.report('a', { status: 500, latencyMs: 5, headers: {}, model: 'broken' });
      expect(pool.status()[0].trippedModels).toEqual(['broken']);
      for (let i = 0; i < 3; i++) expect(pool.pick('broken').id).toBe('b');
      expect(new Set(Array.from({ length: 4 }, () => pool.pick('fine').id))).toContain('a');
    });

    it('routes anyway when every breaker is open (panic), and says so', () => {
      const pool = new KeyPool([key('a'), key('b')], { failureThreshold: 1, cooldownMs: 60_000 });
      const panics: string[] = [];
      pool.onPanic = (model) => panics.push(model);
      pool.report('a', { status: 0, latencyMs: 5, headers: {}, model: 'm' });
      pool.report('b', { status: 503, latencyMs: 5, headers: {}, model: 'm' });
      expect(new Set(Array.from({ length: 4 }, () => pool.pick('m').id))).toEqual(
        new Set(['a', 'b']),
      );
      expect(panics).toHaveLength(4);
      pool.report('a', { ...ok, model: 'm' });
      expect(pool.pick('m').id).toBe('a');
    });

    it('tells when a breaker opens and closes', () => {
      const time = clock();
      const pool = new KeyPool([key('a')], { failureThreshold: 2, cooldownMs: 1000 }, time.now);
      const changes: string[] = [];
      pool.onHealthChange = (id, change) => changes.push(`${id} ${change.change} ${change.model}`);
      for (let i = 0; i < 3; i++)
        pool.report('a', { status: 502, latencyMs: 5, headers: {}, model: 'm' });
      time.advance(1001);
      pool.pick('m');
      pool.report('a', { ...ok, model: 'm' });
      expect(changes).toEqual(['a breaker-opened m', 'a breaker-closed m']);
    });

    it('a 429 on every key is still a 429 with the first reset', () => {
      const pool = new KeyPool([key('a'), key('b')]);
      pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '3' }, model: 'm' });
      pool.report('b', { status: 429, latencyMs: 5, headers: { 'retry-after': '9' }, model: 'm' });
      expect(() => pool.pick('m')).toThrow(/rate limited by Groq for it. Retry after 3s/);
    });

    it('does not count 429s or client errors towards opening', () => {
      const pool = new KeyPool([key('a')], { failureThreshold: 2, cooldownMs: 1000 });
      pool.report('a', { status: 400, latencyMs: 5, headers: {} });
      pool.report('a', { status: 404, latencyMs: 5, headers: {} });
      pool.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '0' }, model: 'm' });
      expect(pool.status()[0].breaker).toBe('closed');
    });
  });

  describe('keys Groq refuses (401/403)', () => {
    it('takes the key out of rotation, probes it once after the interval, restores it on success', () => {
      const time = clock();
      const pool = new KeyPool(
        [key('a'), key('b')],
        { failureThreshold: 5, cooldownMs: 1000, rejectedKeyProbeMs: 60_000 },
        time.now,
      );
      const changes: string[] = [];
      pool.onHealthChange = (id, change) => changes.push(`${id} ${change.change}`);
      pool.report('a', { status: 401, latencyMs: 5, headers: {} });
      expect(pool.status()[0]).toMatchObject({ available: false, rejected: { status: 401 } });
      for (let i = 0; i < 5; i++) expect(pool.pick('m').id).toBe('b');
      time.advance(60_001);
      const picks = Array.from({ length: 6 }, () => pool.pick('m').id);
      expect(picks.filter((id) => id === 'a')).toHaveLength(1);
      pool.report('a', ok);
      expect(pool.status()[0].rejected).toBeUndefined();
      expect(changes).toEqual(['a rejected', 'a restored']);
    });

    it('a failed probe keeps it out for another interval', () => {
      const time = clock();
      const pool = new KeyPool(
        [key('a'), key('b')],
        { failureThreshold: 5, cooldownMs: 1000, rejectedKeyProbeMs: 1000 },
        time.now,
      );
      pool.report('a', { status: 403, latencyMs: 5, headers: {} });
      time.advance(1001);
      expect(pool.pick('m', 0, new Set(['b'])).id).toBe('a');
      pool.report('a', { status: 403, latencyMs: 5, headers: {} });
      for (let i = 0; i < 4; i++) expect(pool.pick('m').id).toBe('b');
    });
  });

  describe('replaceKeys (secrets rotated while running)', () => {
    it('adds, replaces and removes keys by id; an unchanged key keeps its health', () => {
      const time = clock();
      const pool = new KeyPool([key('a'), key('b'), key('c')], undefined, time.now);
      pool.report('c', { status: 429, latencyMs: 5, headers: { 'retry-after': '10' }, model: 'm' });
      const changes = pool.replaceKeys([{ ...key('a'), key: 'gsk_rotated' }, key('c'), key('d')]);
      expect(changes).toEqual({ added: ['d'], replaced: ['a'], removed: ['b'] });
      expect(pool.size).toBe(3);
      // c still rests after its 429: the pool picks a and d, never b.
      const ids = new Set(Array.from({ length: 4 }, () => pool.pick('m').id));
      expect([...ids].sort()).toEqual(['a', 'd']);
      time.advance(10_001);
      const picked = new Map(
        Array.from({ length: 4 }, () => pool.pick('m')).map((k) => [k.id, k.key]),
      );
      expect(picked.get('a')).toBe('gsk_rotated');
      expect(picked.has('b')).toBe(false);
    });

    it('a key Groq refused (401) is back in rotation once the secret gives it a new value', () => {
      const pool = new KeyPool([key('a'), key('b')]);
      pool.report('a', { status: 401, latencyMs: 5, headers: {} });
      expect(pool.status()[0].available).toBe(false);
      pool.replaceKeys([{ ...key('a'), key: 'gsk_rotated' }, key('b')]);
      expect(pool.status()[0].available).toBe(true);
    });

    it('lets a call in flight on a removed key report without harm', () => {
      const pool = new KeyPool([key('a'), key('b')]);
      const inFlight = pool.pick('m');
      pool.replaceKeys([key(inFlight.id === 'a' ? 'b' : 'a')]);
      expect(() =>
        pool.report(inFlight.id, { status: 200, latencyMs: 5, headers: {} }),
      ).not.toThrow();
      expect(pool.status().map((s) => s.id)).toEqual([inFlight.id === 'a' ? 'b' : 'a']);
    });
  });
});
