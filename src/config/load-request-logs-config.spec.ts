import { parse } from 'yaml';
import { loadRequestLogsConfig } from './load-request-logs-config';

const files: Record<string, string> = {
  '/run/secrets/pg': 'postgres://u:p@db/gw\n',
  '/s/hmac': 'k3y\n',
};
const readFile = (path: string) => {
  if (path in files) return files[path];
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};
const load = (env: Record<string, string> = {}, yaml = '') =>
  loadRequestLogsConfig(env, (parse(yaml) ?? {}) as Record<string, unknown>, readFile);

describe('request logs configuration', () => {
  it('defaults to SQLite in ./data, 30 days, no bodies, drop on overflow, no exports', () => {
    expect(load()).toMatchObject({
      store: 'sqlite',
      dataDir: 'data',
      retentionDays: 30,
      bodies: 'off',
      bodyMaxBytes: 65_536,
      clientAddress: false,
      onOverflow: 'drop',
      queryTimeoutMs: 30_000,
      tailMaxPerCaller: 5,
      exports: [],
    });
  });

  it('reads the query deadline from LOGS_QUERY_TIMEOUT_MS over logs.queryTimeoutMs', () => {
    expect(load({}, 'logs: { queryTimeoutMs: 5000 }').queryTimeoutMs).toBe(5_000);
    expect(
      load({ LOGS_QUERY_TIMEOUT_MS: '50' }, 'logs: { queryTimeoutMs: 5000 }').queryTimeoutMs,
    ).toBe(50);
  });

  it('reads the live tails one caller may hold from LOGS_TAIL_MAX_PER_CALLER, at most the 100 of a replica', () => {
    expect(load({}, 'logs: { tailMaxPerCaller: 2 }').tailMaxPerCaller).toBe(2);
    expect(load({ LOGS_TAIL_MAX_PER_CALLER: '100' }).tailMaxPerCaller).toBe(100);
    expect(() => load({ LOGS_TAIL_MAX_PER_CALLER: '101' })).toThrow(/LOGS_TAIL_MAX_PER_CALLER/);
    expect(() => load({ LOGS_TAIL_MAX_PER_CALLER: '0' })).toThrow(/LOGS_TAIL_MAX_PER_CALLER/);
  });

  it('reads Postgres from LOGS_POSTGRES_URL_FILE', () => {
    expect(
      load({ LOGS_STORE: 'postgres', LOGS_POSTGRES_URL_FILE: '/run/secrets/pg' }).postgresUrl,
    ).toBe('postgres://u:p@db/gw');
  });

  it.each([
    [{ LOGS_STORE: 'mysql' }, /^LOGS_STORE: must be one of sqlite, postgres, off/],
    [{ LOGS_STORE: 'postgres' }, /^LOGS_POSTGRES_URL: LOGS_STORE=postgres needs/],
    [{ LOGS_STORE: 'postgres', LOGS_POSTGRES_URL: 'mysql://x' }, /postgres:\/\//],
    [{ LOGS_BODIES: 'some' }, /^LOGS_BODIES/],
    [{ LOGS_ON_OVERFLOW: 'wait' }, /^LOGS_ON_OVERFLOW/],
    [{ LOGS_RETENTION_DAYS: '0' }, /^LOGS_RETENTION_DAYS/],
    [{ LOGS_QUERY_TIMEOUT_MS: '5' }, /^LOGS_QUERY_TIMEOUT_MS/],
    [{ LOGS_QUERY_TIMEOUT_MS: 'soon' }, /^LOGS_QUERY_TIMEOUT_MS/],
  ])('refuses %j with one line naming the setting', (env, message) => {
    expect(() => load(env)).toThrow(message);
  });

  it('never echoes a Postgres URL it cannot parse (it may hold a password)', () => {
    expect(() => load({ LOGS_STORE: 'postgres', LOGS_POSTGRES_URL: 'secret-pw@@' })).toThrow(
      /^LOGS_POSTGRES_URL: is not a URL/,
    );
    try {
      load({ LOGS_STORE: 'postgres', LOGS_POSTGRES_URL: 'secret-pw@@' });
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-pw');
    }
  });

  it('reads retention overrides and exports, secrets by reference', () => {
    const config = load(
      { HOOK_SECRET: 'from-env' },
      `
logs:
  retention: { days: 7, virtualKeys: { vk: 1 }, teams: { audit: 365 } }
  exports:
    - { type: s3, bucket: logs, endpoint: 'http://127.0.0.1:9000' }
    - { type: otlp, url: 'http://collector:4318/v1/logs', headers: { authorization: { env: HOOK_SECRET } } }
    - type: http
      name: siem
      url: 'https://siem.example/ingest'
      secret: { file: /s/hmac }
      headers: { Authorization: { env: HOOK_SECRET }, x-source: gateway }
`,
    );
    expect(config.retentionDays).toBe(7);
    expect(config.retentionByVirtualKey).toEqual({ vk: 1 });
    expect(config.retentionByTeam).toEqual({ audit: 365 });
    expect(config.exports.map((e) => [e.type, e.name])).toEqual([
      ['s3', 's3-1'],
      ['otlp', 'otlp-2'],
      ['http', 'siem'],
    ]);
    expect(config.exports[0]).toMatchObject({
      prefix: 'request-logs',
      forcePathStyle: true,
      timeoutMs: 30_000,
    });
    expect(config.exports[1]).toMatchObject({
      headers: { authorization: 'from-env' },
      timeoutMs: 10_000,
    });
    expect(config.exports[2]).toMatchObject({
      secret: 'k3y',
      signatureHeader: 'x-gateway-signature',
      headers: { authorization: 'from-env', 'x-source': 'gateway' },
      timeoutMs: 10_000,
    });
  });

  it.each([
    ['- { type: ftp }', /exports\[0\]\.type: must be s3, otlp or http/],
    ['- { type: s3 }', /exports\[0\]\.bucket/],
    [
      "- { type: http, url: 'http://x', secret: 'inline' }",
      /exports\[0\]\.secret: must be a reference/,
    ],
    ["- { type: http, url: 'http://x', secret: { env: MISSING } }", /MISSING is not set/],
    ["- { type: otlp, url: 'ftp://x' }", /exports\[0\]\.url: must be an http/],
    [
      "- { type: http, url: 'http://x', secret: { file: /s/hmac }, headers: { authorization: { env: NOPE } } }",
      /exports\[0\]\.headers\.authorization: NOPE is not set/,
    ],
  ])('refuses the export %s', (entry, message) => {
    expect(() => load({}, `logs:\n  exports:\n    ${entry}\n`)).toThrow(message);
  });

  it.each([
    [
      "- { type: http, url: 'https://user:s3cret-pw@[bad/ingest', secret: { file: /s/hmac } }",
      'url',
      /is not a URL/,
    ],
    [
      "- { type: otlp, url: 'ftp://user:s3cret-pw@collector/v1/logs' }",
      'url',
      /must be an http\(s\) URL/,
    ],
    // Parsed, the user name is the scheme: not echoed either.
    ["- { type: otlp, url: 's3cret-pw:token@collector:4318' }", 'url', /must be an http\(s\) URL/],
    [
      "- { type: s3, bucket: logs, endpoint: 'http://key:s3cret-pw@minio:99999' }",
      'endpoint',
      /is not a URL/,
    ],
  ])(
    'never echoes an export URL it refuses (it may hold credentials): %s',
    (entry, field, message) => {
      let thrown: Error | undefined;
      try {
        load({}, `logs:\n  exports:\n    ${entry}\n`);
      } catch (error) {
        thrown = error as Error;
      }
      expect(thrown?.message).toMatch(
        new RegExp(`^GATEWAY_CONFIG logs\\.exports\\[0\\]\\.${field}: `),
      );
      expect(thrown?.message).toMatch(message);
      expect(thrown?.message).not.toContain('s3cret-pw');
    },
  );
});
