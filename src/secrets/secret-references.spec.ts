import { ConfigError } from '../config/gateway-config';
import { SecretReferences } from './secret-references';
import type { SecretReference } from './secret-reference';
import { SecretReadError } from './secret-resolver';

/** A store in memory standing in for the providers: values, leases and failures by reference. */
function store(values: Record<string, string>, leases: Record<string, number> = {}) {
  const failing = new Map<string, string>();
  const reads: string[] = [];
  return {
    values,
    failing,
    reads,
    read: (reference: SecretReference) => {
      reads.push(reference.text);
      const failure = failing.get(reference.text);
      if (failure) return Promise.reject(new SecretReadError(failure));
      return Promise.resolve({
        value: values[reference.text],
        leaseSeconds: leases[reference.text],
      });
    },
  };
}

describe('SecretReferences', () => {
  const settings = [
    { setting: 'GROQ_API_KEY', reference: 'vault://secret/groq#k' },
    { setting: 'REDIS_URL', reference: 'aws-sm://redis#url' },
    { setting: 'GATEWAY_CONFIG groq.keys[0].key', reference: 'vault://secret/groq#k' },
  ];

  it('reads each reference once, however many settings name it', async () => {
    const fake = store({ 'vault://secret/groq#k': 'gsk_1', 'aws-sm://redis#url': 'redis://r' });
    const references = new SecretReferences(settings, fake);
    expect(references.size).toBe(2);
    expect(references.providers()).toEqual(['vault', 'aws-sm']);
    const values = await references.readAll();
    expect([...values.entries()]).toEqual(
      expect.arrayContaining([
        ['vault://secret/groq#k', 'gsk_1'],
        ['aws-sm://redis#url', 'redis://r'],
      ]),
    );
    expect(fake.reads.sort()).toEqual(['aws-sm://redis#url', 'vault://secret/groq#k']);
  });

  it('stops start-up on the first reference that cannot be read, naming the setting and why', async () => {
    const fake = store({ 'vault://secret/groq#k': 'gsk_1' });
    fake.failing.set('aws-sm://redis#url', 'ResourceNotFoundException: not found');
    await expect(new SecretReferences(settings, fake).readAll()).rejects.toThrow(
      new ConfigError(
        'REDIS_URL',
        'cannot read secret aws-sm://redis#url: ResourceNotFoundException: not found',
      ),
    );
  });

  it('names the setting of a malformed reference', () => {
    expect(
      () => new SecretReferences([{ setting: 'X', reference: 'gcp-sm://nope' }], store({})),
    ).toThrow(ConfigError);
  });

  it('sees changes by digest; a failure in a round hands out no values', async () => {
    const fake = store({ 'vault://secret/groq#k': 'gsk_1', 'aws-sm://redis#url': 'redis://r' });
    const references = new SecretReferences(settings, fake);
    references.applied(await references.readAll());
    expect((await references.readRound()).changed).toEqual([]);
    fake.values['vault://secret/groq#k'] = 'gsk_2';
    const round = await references.readRound();
    expect(round.changed).toEqual(['vault://secret/groq#k']);
    expect(round.values?.get('vault://secret/groq#k')).toBe('gsk_2');
    fake.failing.set('aws-sm://redis#url', 'AccessDeniedException: no');
    const failed = await references.readRound();
    expect(failed.values).toBeUndefined();
    expect(failed.failures).toEqual([
      {
        reference: 'aws-sm://redis#url',
        provider: 'aws-sm',
        settings: ['REDIS_URL'],
        reason: 'AccessDeniedException: no',
      },
    ]);
  });

  it('comes back sooner when a lease ends before the interval', async () => {
    const fake = store(
      { 'vault://secret/groq#k': 'gsk_1', 'aws-sm://redis#url': 'r' },
      { 'vault://secret/groq#k': 30 },
    );
    const references = new SecretReferences(settings, fake);
    expect(references.nextRoundSeconds(300)).toBe(300);
    await references.readAll();
    expect(references.nextRoundSeconds(300)).toBe(30);
    expect(references.nextRoundSeconds(10)).toBe(10);
  });

  it('warns about a failing reference once per interval', () => {
    const references = new SecretReferences(settings, store({}));
    expect(references.shouldWarn('aws-sm://redis#url', 1_000, 60_000)).toBe(true);
    expect(references.shouldWarn('aws-sm://redis#url', 30_000, 60_000)).toBe(false);
    expect(references.shouldWarn('aws-sm://redis#url', 61_000, 60_000)).toBe(true);
  });
});
