import { parse } from 'yaml';
import { loadGovernanceConfig, sha256Hex } from './load-governance-config';

const files: Record<string, string> = {
  '/run/secrets/team-b': 'team-b-key\n',
  '/run/secrets/admin': 'admin-key-0123456789abcdef\n',
};
const readFile = (path: string) => {
  if (path in files) return files[path];
  throw Object.assign(new Error('missing'), { code: 'ENOENT' });
};
const load = (yaml: string, env: Record<string, string> = {}) =>
  loadGovernanceConfig(env, (parse(yaml) ?? {}) as Record<string, unknown>, readFile);

describe('loadGovernanceConfig', () => {
  it('is off and open by default', () => {
    expect(load('')).toEqual({
      virtualKeys: [],
      teams: [],
      adminKeySha256: undefined,
      prices: {},
      onStoreFailure: 'open',
      clampToRemaining: true,
      reserveOutputTokens: 1024,
      reservationLeaseMs: 600_000,
      audit: { destination: 'stdout', includePrompts: false },
    });
  });

  it('reads teams, and keys that belong to one; a key naming an unknown team is refused', () => {
    const config = load(`
teams:
  - { id: search, name: Search, budget: { usd: 500, period: monthly } }
  - { id: ads }
governance:
  virtualKeys:
    - { id: a, keySha256: ${'a'.repeat(64)}, team: search }
`);
    expect(config.teams).toEqual([
      {
        id: 'search',
        name: 'Search',
        budget: { usd: 500, period: 'monthly' },
        source: 'config',
        createdAt: new Date(0).toISOString(),
      },
      { id: 'ads', name: undefined, source: 'config', createdAt: new Date(0).toISOString() },
    ]);
    expect(config.virtualKeys[0].team).toBe('search');
    expect(() =>
      load(`
teams: [{ id: search }]
governance:
  virtualKeys: [{ id: a, keySha256: ${'a'.repeat(64)}, team: ads }]
`),
    ).toThrow(/virtualKeys\[0\]\.team.*'ads'/);
    expect(() => load('teams: [{ id: search }, { id: search }]')).toThrow(/duplicate team/);
    expect(() => load('teams: [{ id: x, budget: { usd: 0 } }]')).toThrow(/teams\[0\]\.budget\.usd/);
  });

  it('reads keys as digests, from a digest, an env var or a mounted file, and their limits', () => {
    const config = load(
      `
governance:
  onStoreFailure: closed
  prices: { groq/llama-3.3-70b-versatile: { input: 0.59, output: 0.79 } }
  virtualKeys:
    - { id: a, keySha256: ${'A'.repeat(64)}, models: [groq/llama-3.3-70b-versatile], requestsPerMinute: 60 }
    - { id: b, keyFile: /run/secrets/team-b, tokensPerMinute: 1000, budget: { usd: 25 } }
    - { id: c, keyEnv: TEAM_C, budget: { usd: 1.5, period: daily } }
audit: { destination: /var/log/audit.jsonl, includePrompts: true }
`,
      { TEAM_C: 'team-c-key', GATEWAY_ADMIN_KEY_FILE: '/run/secrets/admin' },
    );
    expect(config.virtualKeys.map((k) => [k.id, k.keySha256])).toEqual([
      ['a', 'a'.repeat(64)],
      ['b', sha256Hex('team-b-key')],
      ['c', sha256Hex('team-c-key')],
    ]);
    expect(config.virtualKeys[0]).toMatchObject({
      models: ['llama-3.3-70b-versatile'],
      requestsPerMinute: 60,
    });
    expect(config.virtualKeys[1].budget).toEqual({ usd: 25, period: 'monthly' });
    expect(config.virtualKeys[2].budget).toEqual({ usd: 1.5, period: 'daily' });
    expect(config.prices).toEqual({ 'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 } });
    expect(config.adminKeySha256).toBe(sha256Hex('admin-key-0123456789abcdef'));
    expect(config.onStoreFailure).toBe('closed');
    expect(config.audit).toEqual({ destination: '/var/log/audit.jsonl', includePrompts: true });
    expect(JSON.stringify(config)).not.toMatch(/team-b-key|team-c-key|admin-key-0123/);
  });

  it.each([
    [
      'a key without a secret',
      'governance: { virtualKeys: [{ id: a }] }',
      /needs keySha256, keyEnv or keyFile/,
    ],
    ['a bad digest', 'governance: { virtualKeys: [{ id: a, keySha256: xyz }] }', /64 hex/],
    [
      'a bad id',
      `governance: { virtualKeys: [{ id: 'a b', keySha256: ${'a'.repeat(64)} }] }`,
      /id/,
    ],
    [
      'a zero limit',
      `governance: { virtualKeys: [{ id: a, keySha256: ${'a'.repeat(64)}, requestsPerMinute: 0 }] }`,
      /requestsPerMinute/,
    ],
    [
      'a weekly budget',
      `governance: { virtualKeys: [{ id: a, keySha256: ${'a'.repeat(64)}, budget: { usd: 1, period: weekly } }] }`,
      /daily or monthly/,
    ],
    ['a price without output', 'governance: { prices: { m: { input: 1 } } }', /input and output/],
    [
      'a duplicate id',
      `governance: { virtualKeys: [{ id: a, keySha256: ${'a'.repeat(64)} }, { id: a, keySha256: ${'b'.repeat(64)} }] }`,
      /duplicate/,
    ],
    [
      'a missing key file',
      'governance: { virtualKeys: [{ id: a, keyFile: /nope }] }',
      /cannot read \/nope \(ENOENT\)/,
    ],
  ])('refuses %s with a line naming the setting', (_name, yaml, message) => {
    expect(() => load(yaml)).toThrow(message);
  });

  it('refuses a short admin key and an unknown failure policy', () => {
    expect(() => load('', { GATEWAY_ADMIN_KEY: 'short' })).toThrow(
      /GATEWAY_ADMIN_KEY: must be at least 16/,
    );
    expect(() => load('', { GOVERNANCE_ON_STORE_FAILURE: 'maybe' })).toThrow(/open or closed/);
  });
});
