import Redis from 'ioredis';
import { GroqEmulator } from '../emulator/emulator';
import { startHttpReceiver, until, type HttpReceiver } from './support/alert-receivers';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { manyKeys } from './support/stack';

const FREE_KEY = 'vk-no-budget-secret-0000000000000';
const TEAM_KEY = 'vk-fleet-team-secret-00000000000';
const HOOK_SECRET = 'webhook-signing-secret-fleet-01';
const say = (text: string) => ({ messages: [{ role: 'user', content: text }] });

function config(receiver: HttpReceiver, rules: string): string {
  return `
governance:
  prices:
    llama-3.3-70b-versatile: { input: 5000, output: 5000 }
  virtualKeys:
    - { id: team-a, keyEnv: TEAM_KEY, budget: { usd: 2, period: daily } }
    - { id: team-free, keyEnv: FREE_KEY }
alerts:
  allowPrivateNetworks: true
  evaluateSeconds: 0.2
  cooldownSeconds: 0
  channels:
    - { id: oncall, kind: pagerduty, routingKey: fleet-routing-key, eventsUrl: ${receiver.url}/pagerduty/v2/enqueue }
    - { id: hook, kind: webhook, url: ${receiver.url}/hook, secretEnv: HOOK_SECRET }
  rules:
${rules}
`;
}

/** Webhook messages by alert and state: each event must appear exactly once. */
function eventsOf(receiver: HttpReceiver): Map<string, number> {
  const events = new Map<string, number>();
  for (const post of receiver.posts('/hook')) {
    const event = `${String(post.body.alertKey)} ${String(post.body.type)}`;
    events.set(event, (events.get(event) ?? 0) + 1);
  }
  return events;
}

// Alerts are evaluated on timers; a loaded machine needs more than the default 20 s per test.
jest.setTimeout(60_000);

describe('alerts once per fleet: two replicas on one Redis', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let receiver: HttpReceiver;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const keys = manyKeys(2);
    emulator = new GroqEmulator({ keys: keys.split(',') });
    const upstream = await emulator.start();
    receiver = await startHttpReceiver();
    const env = {
      GROQ_BASE_URL: upstream,
      GROQ_API_KEYS: keys,
      GATEWAY_CONFIG: writeGatewayConfig(
        config(
          receiver,
          `    - { id: errors, kind: error_rate, threshold: 0.5, windowSeconds: 3, minRequests: 6, channels: [oncall, hook] }
    - { id: budget-80, kind: budget_usage, threshold: 0.8, channels: [hook] }`,
        ),
      ).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      TEAM_KEY,
      FREE_KEY,
      HOOK_SECRET,
      REDIS_URL: redis.url,
      RETRY_MAX_ATTEMPTS: '1',
    };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([emulator?.stop(), receiver?.stop()]);
    await redis?.stop();
  });

  it('error_rate from fleet-wide counts: 4 failures on each replica (6 needed) give one trigger and one resolve', async () => {
    const failed = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        chat((i % 2 ? a : b).url, FREE_KEY, say('[fault:503] x')),
      ),
    );
    expect(failed.every((answer) => answer.status === 503)).toBe(true);
    await until(() =>
      receiver.posts('/pagerduty/v2/enqueue').find((p) => p.body.event_action === 'resolve'),
    );
    // Past the resolve, both replicas have evaluated many times: still one of each.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pagerDuty = receiver.posts('/pagerduty/v2/enqueue');
    expect(pagerDuty.map((p) => p.body.event_action)).toEqual(['trigger', 'resolve']);
    expect(pagerDuty[0].body.dedup_key).toBe(pagerDuty[1].body.dedup_key);
    // Fired on the counts of both replicas: at least 6 failures, never one replica's 4 alone.
    const details = (pagerDuty[0].body.payload as { custom_details: Record<string, number> })
      .custom_details;
    expect(details.errors).toBe(details.requests);
    expect(details.errors).toBeGreaterThanOrEqual(6);
    expect(eventsOf(receiver)).toEqual(
      new Map([
        ['errors alert.firing', 1],
        ['errors alert.resolved', 1],
      ]),
    );
  });

  it('budget_usage from the shared spend: one message per threshold, and one resolve when the period rolls over', async () => {
    // Spend on both replicas; the one that sees the 402 need not be the one that evaluates.
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = (await chat((i % 2 ? a : b).url, TEAM_KEY, say('spend'))).status === 402;
    }
    expect(refused).toBe(true);
    await until(() => eventsOf(receiver).get('budget-80:vk:team-a:1 alert.firing'));
    // The budget freed (what a new period does): the spend counter of this one goes, and the
    // key's next call is admitted again.
    const client = new Redis(redis.url);
    const day = new Date().toISOString().slice(0, 10);
    expect(await client.del(`gw:{team-a}:spend:${day}`)).toBe(1);
    client.disconnect();
    expect((await chat(a.url, TEAM_KEY, say('again'))).status).toBe(200);
    await until(() => eventsOf(receiver).get('budget-80:vk:team-a:1 alert.resolved'));
    await until(() => eventsOf(receiver).get('budget-80:vk:team-a:0.8 alert.resolved'));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const budget = [...eventsOf(receiver)].filter(([event]) => event.startsWith('budget-80'));
    expect(new Map(budget)).toEqual(
      new Map([
        ['budget-80:vk:team-a:0.8 alert.firing', 1],
        ['budget-80:vk:team-a:1 alert.firing', 1],
        ['budget-80:vk:team-a:1 alert.resolved', 1],
        ['budget-80:vk:team-a:0.8 alert.resolved', 1],
      ]),
    );
  });

  it('GET /admin/alerts on either replica shows the same fleet state', async () => {
    const views = await Promise.all(
      [a, b].map(async (gateway) => {
        const response = await fetch(`${gateway.url}/admin/alerts`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        return (await response.json()) as {
          mode: string;
          leader: boolean;
          rules: Array<{ id: string; state: string; lastSent: string | null }>;
        };
      }),
    );
    expect(views.map((v) => v.mode)).toEqual(['fleet', 'fleet']);
    expect(views.filter((v) => v.leader)).toHaveLength(1);
    for (const view of views) {
      expect(view.rules.find((r) => r.id === 'errors')).toMatchObject({ state: 'ok' });
    }
  });
});

describe('store_unavailable: a real redis-server stopped and started', () => {
  let redis: RedisServer;
  let emulator: GroqEmulator;
  let receiver: HttpReceiver;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = new GroqEmulator();
    const upstream = await emulator.start();
    receiver = await startHttpReceiver();
    gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: 'gsk_store_test_key',
      GATEWAY_CONFIG: writeGatewayConfig(
        config(receiver, '    - { id: store, kind: store_unavailable, channels: [oncall, hook] }'),
      ).path,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      TEAM_KEY,
      FREE_KEY,
      HOOK_SECRET,
      REDIS_URL: redis.url,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([emulator?.stop(), receiver?.stop()]);
    await redis?.stop();
  });

  it('fires while Redis is away and resolves once it answers again', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(receiver.received).toHaveLength(0);
    await redis.stop();
    const trigger = await until(() =>
      receiver.posts('/pagerduty/v2/enqueue').find((p) => p.body.event_action === 'trigger'),
    );
    expect(trigger.body.payload).toMatchObject({
      summary: '[FIRING] store: the redis store is unreachable',
      severity: 'critical',
      component: 'store redis',
    });
    // Requests go on meanwhile (governance fails open by default).
    expect((await chat(gateway.url, FREE_KEY, say('hi'))).status).toBe(200);
    await redis.restart();
    await until(
      () => receiver.posts('/pagerduty/v2/enqueue').find((p) => p.body.event_action === 'resolve'),
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(eventsOf(receiver)).toEqual(
      new Map([
        ['store:store:redis alert.firing', 1],
        ['store:store:redis alert.resolved', 1],
      ]),
    );
  });
});
