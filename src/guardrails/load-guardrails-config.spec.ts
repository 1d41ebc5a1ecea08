import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { checkKeyGuardrails, loadGuardrailsConfig } from './load-guardrails-config';

const load = (policies: unknown[], extra: Record<string, unknown> = {}) =>
  loadGuardrailsConfig({ policies, ...extra });

describe('loadGuardrailsConfig', () => {
  it('reads the policies of the contract with their defaults', () => {
    const config = load(
      [
        { id: 'pii-in', kind: 'pii', stage: 'input', action: 'redact' },
        {
          id: 'llama-guard',
          kind: 'moderation',
          stage: 'both',
          action: 'block',
          model: 'groq/meta-llama/llama-guard-4-12b',
          categories: ['S1'],
        },
        { id: 'must-be-json', kind: 'json_schema', stage: 'output', action: 'block' },
      ],
      { defaults: ['pii-in'], streaming: { mode: 'buffer', windowChars: 512 }, blockedStatus: 446 },
    );
    expect(config.policies[0]).toMatchObject({
      kind: 'pii',
      entities: ['email', 'phone', 'credit_card', 'iban', 'ssn', 'ip_address', 'secret'],
    });
    expect(config.policies[1]).toMatchObject({
      onError: 'open',
      timeoutMs: 3000,
      categories: ['S1'],
    });
    expect(config).toMatchObject({
      defaults: ['pii-in'],
      streaming: { mode: 'buffer', windowChars: 512 },
      blockedStatus: 446,
    });
    expect(loadGuardrailsConfig(undefined).policies).toEqual([]);
  });

  it.each([
    [
      [{ id: 'Bad Id', kind: 'pii', action: 'flag' }],
      'policies[0].id: must be 1-64 of a-z, 0-9 and -',
    ],
    [[{ id: 'p', kind: 'magic', action: 'flag' }], "policy 'p': unknown kind 'magic'"],
    [
      [{ id: 'p', kind: 'pii', action: 'flag', entities: ['dna'] }],
      "policy 'p': unknown entity 'dna'",
    ],
    [
      [{ id: 'p', kind: 'keywords', action: 'shout', words: ['a'] }],
      "policy 'p': action must be block, redact or flag",
    ],
    [
      [{ id: 'p', kind: 'keywords', action: 'flag', words: [] }],
      "policy 'p': words must be a non-empty list",
    ],
    [
      [{ id: 'p', kind: 'regex', action: 'flag', patterns: ['(x'] }],
      "policy 'p': pattern '(x' is not a valid regular expression",
    ],
    [
      [{ id: 'p', kind: 'regex', action: 'flag', patterns: ['(?<=a)b'] }],
      "policy 'p': pattern '(?<=a)b' cannot run in linear time",
    ],
    [
      [{ id: 'p', kind: 'json_schema', stage: 'input', action: 'block' }],
      "policy 'p': json_schema judges answers only",
    ],
    [
      [{ id: 'p', kind: 'json_schema', stage: 'output', action: 'redact' }],
      "policy 'p': action redact is not possible for kind json_schema",
    ],
    [
      [
        {
          id: 'p',
          kind: 'json_schema',
          stage: 'output',
          action: 'block',
          schema: { type: 'nope' },
        },
      ],
      "policy 'p': schema is not a valid JSON schema",
    ],
    [
      [{ id: 'p', kind: 'moderation', action: 'block', model: 'groq/llama-3.3-70b-versatile' }],
      "policy 'p': model must be a Groq safety model",
    ],
    [
      [{ id: 'p', kind: 'webhook', action: 'flag', url: 'ftp://x' }],
      "policy 'p': url must be an http(s) URL",
    ],
    [
      [
        { id: 'p', kind: 'pii', action: 'flag' },
        { id: 'p', kind: 'pii', action: 'flag' },
      ],
      'duplicate policy id',
    ],
    [
      [{ id: 'p', kind: 'pii', action: 'redact', entites: ['email'] }],
      "policy 'p': unknown setting 'entites' for kind pii",
    ],
    [
      [{ id: 'p', kind: 'keywords', action: 'flag', words: ['a'], patterns: ['b'] }],
      "policy 'p': unknown setting 'patterns' for kind keywords",
    ],
    [
      [
        {
          id: 'p',
          kind: 'moderation',
          action: 'block',
          model: 'groq/meta-llama/llama-guard-4-12b',
          categories: ['S15'],
        },
      ],
      "policy 'p': categories must be Llama Guard's hazard codes (S1 ... S14)",
    ],
  ])('refuses a mistake with one line naming the policy (%#)', (policies, message) => {
    expect(() => load(policies)).toThrow(message);
  });

  it("loads the README's configuration, which is the issue's contract word for word", () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Guardrails'));
    const yaml = /```yaml\n([^]*?)```/.exec(section)?.[1] ?? '';
    const config = loadGuardrailsConfig((parse(yaml) as { guardrails: unknown }).guardrails);
    expect(config.policies.map((p) => `${p.id}:${p.kind}:${p.stage}:${p.action}`)).toEqual([
      'pii-in:pii:input:redact',
      'no-codenames:keywords:both:block',
      'no-ssn-like:regex:output:block',
      'llama-guard:moderation:both:block',
      'must-be-json:json_schema:output:block',
      'presidio:webhook:input:flag',
    ]);
    expect(config.defaults).toEqual(['pii-in']);
    expect(config.streaming).toEqual({ mode: 'window', windowChars: 256 });
  });

  it('refuses a misspelt setting rather than ignore it', () => {
    const policies = [{ id: 'a', kind: 'pii', action: 'flag' }];
    expect(() => load(policies, { defualts: ['a'] })).toThrow(
      'GATEWAY_CONFIG guardrails.defualts: unknown setting',
    );
    expect(() => load(policies, { streaming: { mode: 'window', window: 64 } })).toThrow(
      'GATEWAY_CONFIG guardrails.streaming.window: unknown setting',
    );
  });

  it('refuses unknown ids in defaults and in virtual keys', () => {
    expect(() => load([], { defaults: ['nope'] })).toThrow(
      "guardrails.defaults: unknown guardrail policy 'nope'",
    );
    const config = load([{ id: 'a', kind: 'pii', action: 'flag' }]);
    expect(() => checkKeyGuardrails([{ id: 'team', guardrails: ['a', 'b'] }], config)).toThrow(
      "virtualKeys (team).guardrails: unknown guardrail policy 'b'",
    );
    expect(() => checkKeyGuardrails([{ id: 'team', guardrails: ['a'] }], config)).not.toThrow();
  });
});
