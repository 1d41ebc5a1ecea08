import { GatewayError } from '../common/errors/gateway-error';
import {
  decodeCursor,
  encodeCursor,
  MAX_TIME_MS,
  MIN_TIME_MS,
  parseErasure,
  parseFilter,
  parsePage,
} from './log-query';
import { parseStats } from './stats-query';

function paramOf(run: () => unknown): string | null {
  try {
    run();
  } catch (error) {
    return (error as GatewayError).param;
  }
  return null;
}

describe('log query parameters', () => {
  it('reads each filter', () => {
    expect(
      parseFilter({
        from: '2026-11-30T00:00:00Z',
        to: '1800000000000',
        model: 'groq/x',
        virtualKey: 'team-a',
        status: '5xx',
        code: 'upstream_timeout',
        q: ' needle ',
      }),
    ).toEqual({
      fromMs: Date.UTC(2026, 10, 30),
      toMs: 1_800_000_000_000,
      model: 'groq/x',
      virtualKey: 'team-a',
      keyId: undefined,
      status: { min: 500, max: 599 },
      code: 'upstream_timeout',
      q: 'needle',
    });
    expect(parseFilter({ status: '429' }).status).toEqual({ min: 429, max: 429 });
  });

  it.each([
    [{ from: 'soon' }, 'from'],
    [{ status: '99' }, 'status'],
    [{ status: '6xx' }, 'status'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '2.5' }, 'limit'],
    [{ cursor: '!!' }, 'cursor'],
    [{ q: 'x'.repeat(513) }, 'q'],
    // Past what a Date holds (and, at 20 digits, past Postgres's bigint).
    [{ from: '99999999999999999' }, 'from'],
    [{ to: '12345678901234567890' }, 'to'],
    // A Date, but past the year 9999.
    [{ to: '253402300800000' }, 'to'],
    [{ from: '+275760-09-13T00:00:00Z' }, 'from'],
  ])('refuses %j naming %s', (params, param) => {
    expect(paramOf(() => parsePage(params))).toBe(param);
  });

  it('takes times from the year 0000 to 9999, and no further', () => {
    expect(parseFilter({ from: '0000-01-01T00:00:00Z', to: '253402300799999' })).toMatchObject({
      fromMs: Date.parse('0000-01-01T00:00:00Z'),
      toMs: Date.parse('9999-12-31T23:59:59.999Z'),
    });
    expect(paramOf(() => parseFilter({ from: '-000001-12-31T00:00:00Z' }))).toBe('from');
    expect(paramOf(() => parseErasure({ before: '99999999999999999' }))).toBe('before');
    expect(paramOf(() => parseStats({ from: '99999999999999999' }, Date.now()))).toBe('from');
  });

  it('refuses a parameter it does not take, naming it and what it takes', () => {
    let refused: GatewayError | undefined;
    try {
      parsePage({ virtual_key: 'team-b', limit: '5' });
    } catch (error) {
      refused = error as GatewayError;
    }
    expect(refused).toMatchObject({ status: 400, code: 'invalid_query_parameter' });
    expect(refused?.param).toBe('virtual_key');
    expect(refused?.message).toContain("'virtual_key'");
    expect(refused?.message).toContain('virtualKey');
    expect(refused?.message).toContain('cursor');
    // Each endpoint takes its own parameters and not another's.
    expect(paramOf(() => parsePage({ limit: '5', cursor: undefined, VirtualKey: 'x' }))).toBe(
      'VirtualKey',
    );
    expect(paramOf(() => parsePage({ format: 'csv' }))).toBe('format');
    expect(paramOf(() => parseFilter({ format: 'csv' }, ['format']))).toBeNull();
    expect(paramOf(() => parseFilter({ limit: '5' }, ['format']))).toBe('limit');
    expect(paramOf(() => parseStats({ groupBy: 'model', interval: '1h' }, Date.now()))).toBeNull();
    expect(paramOf(() => parseStats({ limit: '5' }, Date.now()))).toBe('limit');
    expect(paramOf(() => parseFilter({ group_by: 'model' }))).toBe('group_by');
  });

  it('refuses a control character in a text parameter (Postgres refuses a NUL: it was a 503)', () => {
    expect(paramOf(() => parsePage({ q: 'needle\u0000' }))).toBe('q');
    expect(paramOf(() => parsePage({ virtualKey: 'team\nb' }))).toBe('virtualKey');
    expect(paramOf(() => parsePage({ model: 'groq/x\u0085' }))).toBe('model');
    expect(paramOf(() => parsePage({ code: 'a\u007fb' }))).toBe('code');
    expect(paramOf(() => parseErasure({ requestId: 'r\u0000' }))).toBe('requestId');
    expect(paramOf(() => parseStats({ q: '\u0000x' }, Date.now()))).toBe('q');
    // Around the text, whitespace is trimmed as before; other text (é, U+FFFD) is text.
    expect(parsePage({ q: ' needle\n', model: 'modèle\uFFFD' }).filter).toMatchObject({
      q: 'needle',
      model: 'modèle\uFFFD',
    });
  });

  it('refuses a cursor whose time is outside the years 0000 to 9999, naming cursor', () => {
    const cursor = (time: string) => Buffer.from(`${time}:some-id`).toString('base64url');
    // Safe integers, past what `from` and `to` take.
    for (const time of [String(MAX_TIME_MS + 1), String(MIN_TIME_MS - 1), '9007199254740991'])
      expect(paramOf(() => parsePage({ cursor: cursor(time) }))).toBe('cursor');
    // Numbers not as the API writes them.
    for (const time of ['0x10', '1e3', ' 12', '+5'])
      expect(paramOf(() => parsePage({ cursor: cursor(time) }))).toBe('cursor');
    expect(decodeCursor(cursor(String(MAX_TIME_MS)))).toEqual({
      timeMs: MAX_TIME_MS,
      id: 'some-id',
    });
    expect(decodeCursor(cursor(String(MIN_TIME_MS)))).toEqual({
      timeMs: MIN_TIME_MS,
      id: 'some-id',
    });
  });

  it('refuses a cursor whose id holds a control character (Postgres refuses a NUL: it was a 503)', () => {
    const cursor = (id: string) => Buffer.from(`1764520000000:${id}`).toString('base64url');
    expect(paramOf(() => parsePage({ cursor: cursor('id\u0000') }))).toBe('cursor');
    expect(paramOf(() => parsePage({ cursor: cursor('a\nb') }))).toBe('cursor');
    expect(
      paramOf(() => parsePage({ cursor: cursor('019ad3c2-7f41-7a9e-b1d2-5c0e8f3a6b21') })),
    ).toBeNull();
  });

  it('round-trips cursors and defaults the page size', () => {
    const cursor = { timeMs: 1_764_520_000_000, id: 'a:b-c' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(parsePage({}).limit).toBe(100);
  });

  it('asks erasure to say what to erase, and takes nothing else', () => {
    expect(paramOf(() => parseErasure({}))).toBe('virtualKey');
    // from would be ignored, erasing all of team-b's records.
    let refused: GatewayError | undefined;
    try {
      parseErasure({ virtualKey: 'team-b', from: '2026-06-01' });
    } catch (error) {
      refused = error as GatewayError;
    }
    expect(refused).toMatchObject({ status: 400, code: 'invalid_query_parameter', param: 'from' });
    expect(refused?.message).toMatch(/virtualKey, before .* requestId/);
    expect(paramOf(() => parseErasure({ requestId: 'r', q: 'x' }))).toBe('q');
    expect(
      paramOf(() => parseErasure({ virtualKey: 'k', before: '1', requestId: 'r' })),
    ).toBeNull();
    expect(parseErasure({ before: '2026-01-01', virtualKey: 'k' })).toMatchObject({
      beforeMs: Date.UTC(2026, 0, 1),
      virtualKey: 'k',
    });
  });

  it('checks stats groupings and bounds the buckets', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    expect(parseStats({ groupBy: 'virtualKey', interval: '1h' }, now)).toMatchObject({
      groupBy: 'virtualKey',
      interval: '1h',
      filter: { fromMs: now - 86_400_000 },
    });
    expect(paramOf(() => parseStats({ groupBy: 'team' }, now))).toBe('groupBy');
    expect(paramOf(() => parseStats({ interval: '10m' }, now))).toBe('interval');
    expect(paramOf(() => parseStats({ interval: '5m' }, now))).toBeNull();
    expect(paramOf(() => parseStats({ interval: '1m', from: '2026-01-01' }, now))).toBe('interval');
  });
});
