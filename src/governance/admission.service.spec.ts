import { missingKey, unknownKey } from './governance-errors';
import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

const KEY = 'vk-team-a-secret-000000000000000';
const CONFIG = `
governance:
  virtualKeys:
    - id: team-a
      keyEnv: TEAM_A_KEY
      requestsPerMinute: 2
      models: [groq/llama-3.3-70b-versatile]
`;
const MODEL = 'groq/llama-3.3-70b-versatile';
const HI = [{ role: 'user', content: 'Hi' }];

describe('GovernanceAdmission (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup(
      { GATEWAY_CONFIG: '/etc/gateway.yaml', TEAM_A_KEY: KEY },
      { '/etc/gateway.yaml': CONFIG },
    );
  });
  afterAll(() => setup.close());
  beforeEach(() => {
    setup.groq.calls.length = 0;
    setup.ended.length = 0;
  });

  const chat = (payload: object, key?: string) =>
    setup.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      payload,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  it('refuses a call without a key, or with an unknown one, before validating its body', async () => {
    const missing = await chat({ model: MODEL });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toEqual(missingKey().toEnvelope());
    const unknown = await chat({ model: MODEL, messages: HI }, 'vk-not-a-key');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(unknownKey().toEnvelope());
    expect(setup.groq.calls).toHaveLength(0);
    expect(setup.ended.map((call) => call.errorCode)).toEqual([
      'missing_api_key',
      'invalid_api_key',
    ]);
  });

  it('asks no key of probes', async () => {
    expect((await setup.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });

  it('refuses a model the key may not call, naming the field, before any upstream call', async () => {
    const refused = await chat({ model: 'groq/llama-3.1-8b-instant', messages: HI }, KEY);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      error: {
        message:
          "This virtual key may not call 'groq/llama-3.1-8b-instant'. It may call: groq/llama-3.3-70b-versatile.",
        type: 'permission_error',
        code: 'model_not_allowed',
        param: 'model',
      },
    });
    expect(setup.groq.calls).toHaveLength(0);
  });

  it('admits the validated, routed call: an invalid body costs no request of the limit', async () => {
    const invalid = await chat({ model: MODEL }, KEY);
    expect(invalid.statusCode).toBe(400);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await chat({ model: MODEL, messages: HI }, KEY));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 429]);
    expect(answers.map((answer) => answer.headers['x-ratelimit-remaining-requests'])).toEqual([
      '1',
      '0',
      '0',
    ]);
    // Groq's type for a request-count limit, as Groq itself answers it.
    expect(answers[2].json().error).toMatchObject({
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
    expect(setup.groq.calls).toHaveLength(2);
    const admitted = setup.ended.filter((call) => call.status === 200);
    expect(admitted.map((call) => [call.virtualKeyId, call.governed?.key.id])).toEqual([
      ['team-a', 'team-a'],
      ['team-a', 'team-a'],
    ]);
  });
});
