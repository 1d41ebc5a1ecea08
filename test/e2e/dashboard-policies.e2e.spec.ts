import { adminCall, askWithRequestId, makeToken } from './support/access';
import { HttpReceiver, startHttpReceiver } from './support/alert-receivers';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const SEARCH_KEY = 'vk-policies-search-secret-00000000';
const ADS_KEY = 'vk-policies-ads-secret-000000000000';

interface GuardrailsAnswer {
  policies: Array<{ id: string; kind: string; url?: string; headers?: Record<string, string> }>;
  defaults: string[];
  counts: Record<string, Record<string, number>> | null;
  recent: Array<Record<string, unknown>>;
}

/** The admin API behind the dashboard's Guardrails and Alerts pages. */
describe('GET /admin/guardrails and GET /admin/alerts/deliveries', () => {
  let stack: Stack;
  let receiver: HttpReceiver;
  let url: string;
  const ask = (apiKey: string, content: string, requestId: string) =>
    askWithRequestId(url, apiKey, content, requestId, MODEL);

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    stack = await startStack({
      GATEWAY_CONFIG: writeGatewayConfig(`
teams:
  - { id: search }
  - { id: ads }
governance:
  virtualKeys:
    - { id: search-key, keyEnv: SEARCH_KEY, team: search }
    - { id: ads-key, keyEnv: ADS_KEY, team: ads }
guardrails:
  policies:
    - { id: no-codenames, kind: keywords, stage: both, action: block, words: [project-x] }
    - { id: fruit, kind: keywords, stage: input, action: flag, words: [banana] }
    - id: detector
      kind: webhook
      stage: input
      action: flag
      url: 'http://127.0.0.1:9/check?token=detector-query-secret-1'
      headers: { authorization: 'Bearer detector-header-secret-2' }
  defaults: [no-codenames, fruit]
alerts:
  allowPrivateNetworks: true
  deliveryAttempts: 1
  channels:
    - { id: team-slack, kind: slack, webhookUrl: '${receiver.url}/slack' }
    - { id: dead-hook, kind: webhook, url: 'http://127.0.0.1:9/hook', secret: hook-signing-secret-3 }
  rules:
    - { id: errors, kind: error_rate, threshold: 0.5, channels: [team-slack] }
`).path,
      SEARCH_KEY,
      ADS_KEY,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
    });
    url = stack.gateway.url;
  });
  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  it('shows the policies, what they did and the latest decisions, scoped by team', async () => {
    await expect(
      ask(SEARCH_KEY, 'tell me about project-x', 'blocked-search'),
    ).rejects.toMatchObject({ status: 400 });
    await ask(ADS_KEY, 'a banana please', 'flagged-ads');
    await ask(ADS_KEY, 'nothing to see', 'clean-ads');

    const admin = await adminCall(url, 'GET', '/admin/guardrails', ADMIN_KEY);
    expect(admin.status).toBe(200);
    const view = admin.json as unknown as GuardrailsAnswer;
    expect(view.policies.map((p) => p.id)).toEqual(['no-codenames', 'fruit', 'detector']);
    expect(view.defaults).toEqual(['no-codenames', 'fruit']);
    // The webhook detector's URL and headers are not shown as configured.
    expect(admin.text).not.toContain('detector-query-secret-1');
    expect(admin.text).not.toContain('detector-header-secret-2');
    expect(view.policies[2]).toMatchObject({
      url: 'http://127.0.0.1:9/check?token=***',
      headers: { authorization: 'set (redacted)' },
    });
    expect(view.counts).toMatchObject({
      'no-codenames': { blocked: 1, flagged: 0, redacted: 0, error: 0 },
      fruit: { blocked: 0, flagged: 1, redacted: 0, error: 0 },
    });
    expect(view.recent).toEqual([
      expect.objectContaining({
        requestId: 'flagged-ads',
        policy: 'fruit',
        outcome: 'flagged',
        status: 200,
        virtualKey: 'ads-key',
        team: 'ads',
      }),
      expect.objectContaining({
        requestId: 'blocked-search',
        policy: 'no-codenames',
        stage: 'input',
        outcome: 'blocked',
        status: 400,
        virtualKey: 'search-key',
        team: 'search',
        model: MODEL,
      }),
    ]);

    // A developer of team search sees its team's decisions only, and no gateway-wide counts.
    const developer = await makeToken(url, ADMIN_KEY, {
      name: 'search dev',
      role: 'developer',
      teams: ['search'],
    });
    const scoped = await adminCall(url, 'GET', '/admin/guardrails', developer.token);
    expect(scoped.status).toBe(200);
    const mine = scoped.json as unknown as GuardrailsAnswer;
    expect(mine.counts).toBeNull();
    expect(mine.recent.map((e) => e.requestId)).toEqual(['blocked-search']);

    const viewer = await makeToken(url, ADMIN_KEY, { name: 'viewer', role: 'viewer' });
    expect((await adminCall(url, 'GET', '/admin/guardrails', viewer.token)).status).toBe(403);
  });

  it('lists the recent deliveries, tests included, newest first, with the failure', async () => {
    const sent = await adminCall(url, 'POST', '/admin/alerts/test?channel=team-slack', ADMIN_KEY);
    expect(sent.json).toMatchObject({ channel: 'team-slack', outcome: 'sent' });
    expect(receiver.posts('/slack')).toHaveLength(1);
    const failed = await adminCall(url, 'POST', '/admin/alerts/test?channel=dead-hook', ADMIN_KEY);
    expect(failed.json).toMatchObject({ channel: 'dead-hook', outcome: 'failed' });

    const auditor = await makeToken(url, ADMIN_KEY, { name: 'auditor', role: 'auditor' });
    for (const bearer of [ADMIN_KEY, auditor.token]) {
      const answer = await adminCall(url, 'GET', '/admin/alerts/deliveries', bearer);
      expect(answer.status).toBe(200);
      const data = answer.json.data as Array<Record<string, unknown>>;
      expect(data.map((d) => [d.channel, d.outcome])).toEqual([
        ['dead-hook', 'failed'],
        ['team-slack', 'sent'],
      ]);
      expect(data[0]).toMatchObject({ rule: 'test', state: 'test', attempts: 1 });
      expect(data[0].error).toEqual(expect.any(String));
      expect(data[1].error).toBeNull();
      expect(Date.parse(String(data[0].time))).toBeGreaterThanOrEqual(
        Date.parse(String(data[1].time)),
      );
      expect(answer.text).not.toContain('hook-signing-secret-3');
    }
    const viewer = await makeToken(url, ADMIN_KEY, { name: 'viewer 2', role: 'viewer' });
    expect((await adminCall(url, 'GET', '/admin/alerts/deliveries', viewer.token)).status).toBe(
      403,
    );
  });
});
