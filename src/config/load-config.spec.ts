import { ConfigError } from './gateway-config';
import { loadGatewayConfig } from './load-config';

const files: Record<string, string> = {};
const readFile = (path: string) => {
  if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return files[path];
};
const load = (env: Record<string, string>) => loadGatewayConfig(env, readFile);

function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadGatewayConfig', () => {
  it('has production defaults', () => {
    const config = load({ GROQ_API_KEY: 'gsk_a' });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', logLevel: 'info' });
    expect(config.groq.baseUrl).toBe('https://api.groq.com');
    expect(config.groq.keys).toEqual([{ id: 'key-1', key: 'gsk_a', weight: 1, models: [] }]);
  });

  it('converts Responses by default, and passes them to Groq with responses.mode: native', () => {
    expect(load({ GROQ_API_KEY: 'gsk_a' }).responses.mode).toBe('convert');
    files['/etc/native.yaml'] = 'responses:\n  mode: native\n';
    expect(load({ GATEWAY_CONFIG: '/etc/native.yaml', GROQ_API_KEY: 'gsk_a' }).responses.mode).toBe(
      'native',
    );
    files['/etc/passthrough.yaml'] = 'responses: { mode: passthrough }\n';
    const error = configError({ GATEWAY_CONFIG: '/etc/passthrough.yaml', GROQ_API_KEY: 'gsk_a' });
    expect(error.message).toBe(
      "GATEWAY_CONFIG responses.mode: must be one of convert, native, got 'passthrough'",
    );
  });

  it('reads several keys from GROQ_API_KEYS, with ids that are not the keys', () => {
    const { keys } = load({ GROQ_API_KEYS: 'gsk_a, gsk_b,,gsk_c' }).groq;
    expect(keys.map((k) => k.id)).toEqual(['key-1', 'key-2', 'key-3']);
    expect(keys.map((k) => k.key)).toEqual(['gsk_a', 'gsk_b', 'gsk_c']);
  });

  it('reads a key from a mounted secret file, trimmed', () => {
    files['/run/secrets/groq'] = 'gsk_from_file\n';
    expect(load({ GROQ_API_KEY_FILE: '/run/secrets/groq' }).groq.keys[0].key).toBe('gsk_from_file');
  });

  it('reads keys with weights and model lists from GATEWAY_CONFIG', () => {
    files['/etc/gw.yaml'] = [
      'groq:',
      '  keys:',
      '    - { id: primary, keyEnv: PRIMARY_KEY, weight: 3 }',
      '    - { id: small, key: gsk_small, models: [llama-3.1-8b-instant] }',
      '  timeouts: { firstByteMs: 5000 }',
    ].join('\n');
    const config = load({ GATEWAY_CONFIG: '/etc/gw.yaml', PRIMARY_KEY: 'gsk_primary' });
    expect(config.groq.keys).toEqual([
      { id: 'primary', key: 'gsk_primary', weight: 3, models: [] },
      { id: 'small', key: 'gsk_small', weight: 1, models: ['llama-3.1-8b-instant'] },
    ]);
    expect(config.groq.timeouts.firstByteMs).toBe(5000);
  });

  it('lets the environment win over the YAML file', () => {
    files['/etc/port.yaml'] = 'port: 9000\n';
    expect(
      load({ GATEWAY_CONFIG: '/etc/port.yaml', PORT: '9100', GROQ_API_KEY: 'gsk_a' }).port,
    ).toBe(9100);
  });

  it.each([
    [{ GROQ_API_KEY: 'gsk_a', PORT: '70000' }, 'PORT'],
    [{ GROQ_API_KEY: 'gsk_a', GROQ_BASE_URL: 'ftp://x' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_a', GROQ_BASE_URL: 'https://api.groq.com/openai/v1' }, 'GROQ_BASE_URL'],
    [{ GROQ_API_KEY: 'gsk_a', LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
    [
      { GROQ_API_KEY: 'gsk_a', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '0' },
      'UPSTREAM_FIRST_BYTE_TIMEOUT_MS',
    ],
    [{ GROQ_API_KEYS: ' , ' }, 'GROQ_API_KEYS'],
    [{}, 'GROQ_API_KEY'],
    [{ GROQ_API_KEY_FILE: '/missing' }, 'GROQ_API_KEY_FILE'],
  ])('%j names %s', (env, setting) => {
    const error = configError(env);
    expect(error.setting).toBe(setting);
    expect(error.message).not.toContain('gsk_a');
  });

  it('names the YAML entry that is wrong', () => {
    files['/etc/bad.yaml'] = 'groq:\n  keys:\n    - { id: a, key: gsk_a, weight: -1 }\n';
    expect(configError({ GATEWAY_CONFIG: '/etc/bad.yaml' }).setting).toBe(
      'GATEWAY_CONFIG groq.keys[0].weight',
    );
    files['/etc/dup.yaml'] =
      'groq:\n  keys:\n    - { id: a, key: gsk_a }\n    - { id: a, key: gsk_b }\n';
    expect(configError({ GATEWAY_CONFIG: '/etc/dup.yaml' }).message).toContain(
      "duplicate key id 'a'",
    );
    files['/etc/notyaml.yaml'] = 'groq: [unclosed';
    expect(configError({ GATEWAY_CONFIG: '/etc/notyaml.yaml' }).setting).toBe('GATEWAY_CONFIG');
  });

  describe('secret references', () => {
    it('takes values read from references, in env and YAML, keyRef pooling several keys', () => {
      files['/etc/refs.yaml'] =
        'groq:\n  keys:\n    - { id: one, key: "vault://secret/groq#k", weight: 2 }\n    - { id: pool, keyRef: "aws-sm://pool", models: [m] }\n';
      const secrets = new Map([
        ['vault://secret/groq#k', 'gsk_one'],
        ['aws-sm://pool', '["gsk_p1", "gsk_p2"]'],
        ['gcp-sm://projects/p/secrets/redis', 'redis://:pw@redis:6379'],
      ]);
      const config = loadGatewayConfig(
        { GATEWAY_CONFIG: '/etc/refs.yaml', REDIS_URL: 'gcp-sm://projects/p/secrets/redis' },
        readFile,
        secrets,
      );
      expect(config.groq.keys).toEqual([
        { id: 'one', key: 'gsk_one', weight: 2, models: [] },
        { id: 'pool-1', key: 'gsk_p1', weight: 1, models: ['m'] },
        { id: 'pool-2', key: 'gsk_p2', weight: 1, models: ['m'] },
      ]);
      expect(config.redisUrl).toBe('redis://:pw@redis:6379');
      expect(config.secrets.refreshSeconds).toBe(300);
    });

    it('reads GROQ_API_KEYS from a secret holding a JSON array', () => {
      const config = loadGatewayConfig(
        { GROQ_API_KEYS: 'vault://s/k#keys' },
        readFile,
        new Map([['vault://s/k#keys', '["gsk_a","gsk_b"]']]),
      );
      expect(config.groq.keys.map((k) => k.key)).toEqual(['gsk_a', 'gsk_b']);
    });

    it('takes secrets.refreshSeconds from YAML, SECRETS_REFRESH_SECONDS winning', () => {
      files['/etc/refresh.yaml'] = 'secrets: { refreshSeconds: 60 }\n';
      expect(
        load({ GROQ_API_KEY: 'gsk_a', GATEWAY_CONFIG: '/etc/refresh.yaml' }).secrets.refreshSeconds,
      ).toBe(60);
      expect(
        load({
          GROQ_API_KEY: 'gsk_a',
          GATEWAY_CONFIG: '/etc/refresh.yaml',
          SECRETS_REFRESH_SECONDS: '5',
        }).secrets.refreshSeconds,
      ).toBe(5);
      expect(configError({ GROQ_API_KEY: 'gsk_a', SECRETS_REFRESH_SECONDS: '0' }).setting).toBe(
        'SECRETS_REFRESH_SECONDS',
      );
    });
  });
});
