import { governanceUnavailable, missingKey, unknownKey } from './governance-errors';
import { GovernanceService } from './governance.service';
import type { AdmissionRequest } from './store/governance-store';
import { StoreBreakerOpenError } from './store/store-breaker';
import { controllerSetup, type ControllerSetup } from '../../test/support/controller-setup';

const KEY = 'vk-team-a-secret-000000000000000';
const TOKENS_KEY = 'vk-team-b-secret-000000000000000';
const CONFIG = `
governance:
  virtualKeys:
    - id: team-a
      keyEnv: TEAM_A_KEY
      requestsPerMinute: 2
      models: [groq/llama-3.3-70b-versatile]
    - { id: team-b, keyEnv: TEAM_B_KEY, tokensPerMinute: 100000 }
`;
const MODEL = 'groq/llama-3.3-70b-versatile';
const HI = [{ role: 'user', content: 'Hi' }];

describe('GovernanceAdmission (in-process)', () => {
  let setup: ControllerSetup;
  beforeAll(async () => {
    setup = await controllerSetup(
      { GATEWAY_CONFIG: '/etc/gateway.yaml', TEAM_A_KEY: KEY, TEAM_B_KEY: TOKENS_KEY },
      { '/etc/gateway.yaml': CONFIG },
    );
  });
  afterAll(() => setup.close());
  beforeEach(() => setup.forgetRecorded());

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
    // Groq's type for a request-count limit, as Groq itself answers it; the wait the message
    // names is the retry-after header's (at most the one-minute window).
    const retryAfter = String(answers[2].headers['retry-after']);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(answers[2].json()).toEqual({
      error: {
        message: `Rate limit of this virtual key reached (requests per minute). Try again in ${retryAfter} s.`,
        type: 'requests',
        code: 'rate_limit_exceeded',
        param: null,
      },
    });
    expect(setup.groq.calls).toHaveLength(2);
    const admitted = setup.ended.filter((call) => call.status === 200);
    expect(admitted.map((call) => [call.virtualKeyId, call.governed?.key.id])).toEqual([
      ['team-a', 'team-a'],
      ['team-a', 'team-a'],
    ]);
  });

  describe('an admission the gateway gave up on (the store answered late or not at all)', () => {
    let governance: GovernanceService;
    beforeAll(() => {
      governance = setup.app.get(GovernanceService);
    });
    afterEach(() => jest.restoreAllMocks());

    /** The admission lands in the store, but its answer comes after the gateway stopped waiting. */
    const landsLate = () => {
      const admit = governance.store.admit.bind(governance.store);
      const asked: AdmissionRequest[] = [];
      jest.spyOn(governance.store, 'admit').mockImplementationOnce(async (request) => {
        asked.push(request);
        await admit(request);
        throw new Error('Command timed out');
      });
      return asked;
    };

    it('is released (its own reservation only), so a late-landing admission holds nothing', async () => {
      const other = await governance.store.admit({
        keyId: 'team-b',
        tokensPerMinute: 100000,
        reserve: {
          id: 'another-call',
          promptTokens: 10,
          outputCap: 90,
          inputNanoPerToken: 0,
          outputNanoPerToken: 0,
          leaseMs: 60_000,
        },
      });
      const asked = landsLate();
      const record = jest.spyOn(governance.store, 'record');
      // onStoreFailure open (the default): admitted uncounted, and says so.
      const answer = await chat({ model: MODEL, messages: HI }, TOKENS_KEY);
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['x-gateway-governance']).toBe('store-unavailable');
      const id = asked[0].reserve?.id;
      expect(id).toMatch(/^.+:[0-9a-f-]{36}$/);
      expect(record.mock.calls[0][0]).toEqual({
        keyId: 'team-b',
        reservationId: id,
        tokens: 0,
        costNanoUsd: 0,
      });
      // Only the other call's hold is left.
      const usage = await governance.store.usage('team-b');
      expect(usage).toMatchObject({ reservations: 1, reservedTokens: other.reservedTokens });
      await governance.release('team-b', 'another-call');
    });

    it('is not released when the open breaker skipped it (never sent)', async () => {
      jest.spyOn(governance.store, 'admit').mockRejectedValueOnce(new StoreBreakerOpenError());
      const record = jest.spyOn(governance.store, 'record');
      const answer = await chat({ model: MODEL, messages: HI }, TOKENS_KEY);
      expect(answer.statusCode).toBe(200);
      // Only the call's own settlement (no reservation: it was admitted uncounted).
      expect(record.mock.calls.map(([usage]) => usage.reservationId)).toEqual([undefined]);
    });

    it('under GOVERNANCE_ON_STORE_FAILURE=closed it is refused with 503, and released just the same', async () => {
      const policy = governance.config.governance;
      const before = policy.onStoreFailure;
      policy.onStoreFailure = 'closed';
      try {
        const asked = landsLate();
        const refused = await chat({ model: MODEL, messages: HI }, TOKENS_KEY);
        expect(refused.statusCode).toBe(503);
        expect(refused.json()).toEqual(governanceUnavailable('limits').toEnvelope());
        expect(refused.json().error.message).toContain('GOVERNANCE_ON_STORE_FAILURE=closed');
        expect(asked[0].reserve?.id).toBeDefined();
        expect((await governance.store.usage('team-b')).reservations).toBe(0);
      } finally {
        policy.onStoreFailure = before;
      }
    });
  });
});
