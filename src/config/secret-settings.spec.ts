import { ConfigError } from './gateway-config';
import { envWithSecrets, findSecretSettings, yamlWithSecrets } from './secret-settings';

describe('secret settings', () => {
  const yaml = {
    groq: {
      keys: [
        { id: 'a', key: 'vault://secret/groq#a' },
        { id: 'b', keyRef: 'aws-sm://pool' },
      ],
    },
    alerts: { channels: [{ slack: { webhookUrl: 'gcp-sm://projects/p/secrets/hook' } }] },
    port: 8080,
  };

  it('finds references in the environment and anywhere in GATEWAY_CONFIG, naming the setting', () => {
    expect(
      findSecretSettings({ GROQ_API_KEY: 'vault://secret/groq#a', HOST: '0.0.0.0' }, yaml),
    ).toEqual([
      { setting: 'GROQ_API_KEY', reference: 'vault://secret/groq#a' },
      { setting: 'GATEWAY_CONFIG groq.keys[0].key', reference: 'vault://secret/groq#a' },
      { setting: 'GATEWAY_CONFIG groq.keys[1].keyRef', reference: 'aws-sm://pool' },
      {
        setting: 'GATEWAY_CONFIG alerts.channels[0].slack.webhookUrl',
        reference: 'gcp-sm://projects/p/secrets/hook',
      },
    ]);
  });

  it('puts the values in place of the references, leaving the inputs as they were', () => {
    const values = new Map([
      ['vault://secret/groq#a', 'gsk_a'],
      ['aws-sm://pool', 'gsk_b,gsk_c'],
      ['gcp-sm://projects/p/secrets/hook', 'https://hooks.slack.com/x'],
    ]);
    const env = { GROQ_API_KEY: 'vault://secret/groq#a', HOST: 'h' };
    expect(envWithSecrets(env, values)).toEqual({ GROQ_API_KEY: 'gsk_a', HOST: 'h' });
    expect(env.GROQ_API_KEY).toBe('vault://secret/groq#a');
    const replaced = yamlWithSecrets(yaml, values) as typeof yaml;
    expect(replaced.groq.keys[1].keyRef).toBe('gsk_b,gsk_c');
    expect(replaced.alerts.channels[0].slack.webhookUrl).toBe('https://hooks.slack.com/x');
    expect(replaced.port).toBe(8080);
    expect(yaml.groq.keys[0].key).toBe('vault://secret/groq#a');
  });

  it('refuses a reference nobody read, naming the setting', () => {
    expect(() => envWithSecrets({ REDIS_URL: 'vault://secret/redis#url' }, new Map())).toThrow(
      new ConfigError(
        'REDIS_URL',
        "the secret reference 'vault://secret/redis#url' was not read (references are read by the gateway at start-up)",
      ),
    );
  });
});
