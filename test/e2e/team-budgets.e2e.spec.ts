import { adminCall, makeToken } from './support/access';
import { gatewayFleet } from './support/gateway-fleet';
import { ADMIN_KEY, chat } from './support/governance-fixtures';

const KEY_A = 'vk-search-a-secret-00000000000000';
const KEY_B = 'vk-search-b-secret-00000000000000';
const KEY_ADS = 'vk-ads-secret-000000000000000000';
const TEAM_USD = 0.05;
const KEY_A_USD = 0.03;
const PRICE = { input: 10, output: 30 };
const CONFIG = `
teams:
  - { id: search, name: Search, budget: { usd: ${TEAM_USD}, period: daily } }
  - { id: ads, name: Ads }
governance:
  prices:
    llama-3.3-70b-versatile: { input: ${PRICE.input}, output: ${PRICE.output} }
  virtualKeys:
    - { id: search-a, keyEnv: KEY_A, team: search, budget: { usd: ${KEY_A_USD}, period: daily } }
    - { id: search-b, keyEnv: KEY_B, team: search }
    - { id: ads-key, keyEnv: KEY_ADS, team: ads }
`;
const LONG = { messages: [{ role: 'user', content: 'Write at length [words:400]' }] };

type Answer = Awaited<ReturnType<typeof chat>>;

function costUsd(answers: Answer[]): number {
  return answers.reduce((sum, answer) => {
    const usage = answer.json.usage;
    if (answer.status !== 200 || !usage) return sum;
    return sum + (usage.prompt_tokens * PRICE.input + usage.completion_tokens * PRICE.output) / 1e6;
  }, 0);
}

describe.each([
  ['memory, one gateway', false],
  ['Redis, two replicas', true],
])('team budgets hold under 50 concurrent calls on two keys of one team (%s)', (_name, shared) => {
  const gateways = gatewayFleet({
    shared,
    config: CONFIG,
    env: { KEY_A, KEY_B, KEY_ADS, LOGS_FLUSH_INTERVAL_MS: '20', LOGS_BODIES: 'redacted' },
  });

  it(`the team's spend never passes $${TEAM_USD}, nor key A's its own $${KEY_A_USD}`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        chat(gateways[i % gateways.length].url, i % 2 === 0 ? KEY_A : KEY_B, LONG),
      ),
    );
    const byKey = (key: string) => answers.filter((_, i) => (i % 2 === 0 ? KEY_A : KEY_B) === key);
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBeGreaterThan(0);
    expect(costUsd(answers)).toBeLessThanOrEqual(TEAM_USD);
    expect(costUsd(byKey(KEY_A))).toBeLessThanOrEqual(KEY_A_USD);
    // Key B has no budget of its own: only the team's stopped it.
    const refusedB = byKey(KEY_B).filter((a) => a.status !== 200);
    expect(refusedB.length).toBeGreaterThan(0);
    for (const answer of refusedB) {
      expect(answer.status).toBe(402);
      expect(answer.json.error).toMatchObject({
        code: 'budget_exceeded',
        type: 'insufficient_quota',
      });
      expect(answer.json.error?.message).toContain("team 'search'");
    }
    for (const answer of answers.filter((a) => a.status !== 200))
      expect([402, 429]).toContain(answer.status);

    const usage = await adminCall(gateways[0].url, 'GET', '/admin/teams/search/usage', ADMIN_KEY);
    expect(usage.status).toBe(200);
    const spent = usage.json.spentUsd as number;
    expect(spent).toBeLessThanOrEqual(TEAM_USD);
    expect(spent).toBeCloseTo(costUsd(answers), 6);
    expect(usage.json).toMatchObject({
      id: 'search',
      period: 'daily',
      budget: { usd: TEAM_USD, period: 'daily', reservedUsd: 0 },
      inFlight: { calls: 0, reservedUsd: 0 },
      keys: ['search-a', 'search-b'],
    });
    // A further call on the other key: refused, or clamped to what the team has left.
    const after = await chat(gateways[gateways.length - 1].url, KEY_B, LONG);
    if (after.status === 200)
      expect(after.headers.get('x-gateway-max-tokens-clamped')).toBeTruthy();
    else expect(after.status).toBe(402);
    expect(costUsd([...answers, after])).toBeLessThanOrEqual(TEAM_USD);
  });

  it("fills teamId on the call: request logs carry it, and a developer sees only its team's calls", async () => {
    const ads = await chat(gateways[0].url, KEY_ADS, {
      messages: [{ role: 'user', content: 'ads call' }],
    });
    expect(ads.status).toBe(200);
    const developer = await makeToken(gateways[0].url, ADMIN_KEY, {
      name: 'search dev',
      role: 'developer',
      teams: ['search'],
    });
    const auditor = await makeToken(gateways[0].url, ADMIN_KEY, { name: 'audit', role: 'auditor' });
    // Request logs are per replica (each its own SQLite here): ask the one that served the ads call.
    const url = gateways[0].url;
    let all: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100; i++) {
      const page = await adminCall(url, 'GET', '/admin/logs?limit=1000', ADMIN_KEY);
      all = page.json.data as Array<Record<string, unknown>>;
      if (all.some((r) => r.team_id === 'ads')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(all.find((r) => r.virtual_key_id === 'ads-key')).toMatchObject({ team_id: 'ads' });
    expect(all.find((r) => String(r.virtual_key_id).startsWith('search-'))).toMatchObject({
      team_id: 'search',
    });
    const devPage = await adminCall(url, 'GET', '/admin/logs?limit=1000', developer.token);
    const devRecords = devPage.json.data as Array<Record<string, unknown>>;
    expect(devRecords.length).toBeGreaterThan(0);
    expect(devRecords.every((r) => r.team_id === 'search')).toBe(true);
    const adsRecord = all.find((r) => r.virtual_key_id === 'ads-key') as { request_id: string };
    const hidden = await adminCall(
      url,
      'GET',
      `/admin/logs/${adsRecord.request_id}`,
      developer.token,
    );
    expect(hidden.status).toBe(404);
    const searchByText = await adminCall(url, 'GET', '/admin/logs?q=ads%20call', developer.token);
    expect(searchByText.json.data).toEqual([]);
    // The auditor sees every team's calls, without bodies, and cannot find them by body text.
    const auditorPage = await adminCall(url, 'GET', '/admin/logs?limit=1000', auditor.token);
    const auditorRecords = auditorPage.json.data as Array<Record<string, unknown>>;
    expect(auditorRecords.some((r) => r.team_id === 'ads')).toBe(true);
    expect(auditorRecords.every((r) => r.request_body === null && r.response_body === null)).toBe(
      true,
    );
    expect(all.find((r) => r.virtual_key_id === 'ads-key')?.request_body).toBeTruthy();
    const auditorByText = await adminCall(url, 'GET', '/admin/logs?q=ads%20call', auditor.token);
    expect(auditorByText.json.data).toEqual([]);
    // Stats by team for the developer: its team only.
    const stats = await adminCall(url, 'GET', '/admin/stats?groupBy=virtualKey', developer.token);
    expect(stats.status).toBe(200);
    expect(JSON.stringify(stats.json.data)).not.toContain('ads-key');
  });
});

/** A streamed chat call read to its end; a refusal comes back before the stream opens. */
async function streamToEnd(
  baseUrl: string,
  key: string,
  content: string,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: 'groq/llama-3.3-70b-versatile',
      messages: [{ role: 'user', content }],
      stream: true,
    }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe.each([
  ['memory, one gateway', false],
  ['Redis, two replicas', true],
])('a call longer than its lease keeps its hold on the team budget (%s)', (_name, shared) => {
  const LONG_KEY = 'vk-lease-long-secret-000000000000';
  const OTHER_KEY = 'vk-lease-other-secret-00000000000';
  // $0.01 at $30 a million output tokens: about 330 tokens for the whole team. Neither key has
  // a limit of its own, so only the team's hold stands between the second key and the budget.
  const gateways = gatewayFleet({
    shared,
    config: `
teams:
  - { id: lease-team, name: Lease, budget: { usd: 0.01, period: daily } }
governance:
  reservationLeaseMs: 1000
  prices:
    llama-3.3-70b-versatile: { input: ${PRICE.input}, output: ${PRICE.output} }
  virtualKeys:
    - { id: lease-long, keyEnv: LONG_KEY, team: lease-team }
    - { id: lease-other, keyEnv: OTHER_KEY, team: lease-team }
`,
    env: { LONG_KEY, OTHER_KEY },
  });

  it("a slow stream clamped to all the team has left still holds it after several leases; the team's next call fits once it ends", async () => {
    const other = gateways[gateways.length - 1];
    // Clamped to all the team has left; 60 words at 60 ms: about 3.6 s, over three 1 s leases.
    const started = Date.now();
    const slow = streamToEnd(gateways[0].url, LONG_KEY, '[fault:latency=0,60] [words:60]');
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const during = await chat(other.url, OTHER_KEY, { max_tokens: 20 });
    const team = await adminCall(other.url, 'GET', '/admin/teams/lease-team/usage', ADMIN_KEY);
    const streamed = await slow;
    expect(Date.now() - started).toBeGreaterThan(2_500);
    expect(streamed.status).toBe(200);
    expect(streamed.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(streamed.headers.get('x-gateway-max-tokens-clamped')).toBeTruthy();
    // Without renewal of the team's hold, the lease ended after 1 s and this call was admitted.
    expect(during.status).toBe(402);
    expect(during.json.error?.code).toBe('budget_exceeded');
    expect(team.json.inFlight).toMatchObject({ calls: 1 });
    // Settled at its real use (a moment after the stream's end): the rest is free again.
    let after = await chat(other.url, OTHER_KEY, { max_tokens: 20 });
    for (let i = 0; i < 20 && after.status === 402; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await chat(other.url, OTHER_KEY, { max_tokens: 20 });
    }
    expect(after.status).toBe(200);
  });
});
