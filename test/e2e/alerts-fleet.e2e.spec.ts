import Redis from 'ioredis';
import { until, type HttpReceiver } from './support/alert-receivers';
import {
  adminAlerts,
  alertsYaml,
  eventsOf,
  FREE_KEY,
  say,
  spend,
  startAlertsBench,
  TEAM_KEY,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { chat, writeGatewayConfig } from './support/governance-fixtures';
import { RedisServer, startRedisServer } from './support/redis-server';
import { manyKeys } from './support/stack';

const HOOK_SECRET = 'webhook-signing-secret-fleet-01';

/** PagerDuty and a signed webhook on the receiver, with these rules. */
function config(receiver: HttpReceiver, rules: string[]): string {
  return writeGatewayConfig(
    alertsYaml({
      channels: [
        `{ id: oncall, kind: pagerduty, routingKey: fleet-routing-key, eventsUrl: ${receiver.url}/pagerduty/v2/enqueue }`,
        `{ id: hook, kind: webhook, url: ${receiver.url}/hook, secretEnv: HOOK_SECRET }`,
      ],
      rules,
    }),
  ).path;
}

// Alerts are evaluated on timers; a loaded machine needs more than the default 20 s per test.
jest.setTimeout(60_000);

describe('alerts once per fleet: two replicas on one Redis', () => {
  let redis: RedisServer;
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let a: GatewayProcess;
  let b: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const keys = manyKeys(2);
    const bench = await startAlertsBench(keys.split(','));
    ({ receiver, stop: stopBench } = bench);
    const env = {
      ...bench.env,
      GROQ_API_KEYS: keys,
      GATEWAY_CONFIG: config(receiver, [
        '{ id: errors, kind: error_rate, threshold: 0.5, windowSeconds: 3, minRequests: 6, channels: [oncall, hook] }',
        '{ id: budget-80, kind: budget_usage, threshold: 0.8, channels: [hook] }',
      ]),
      HOOK_SECRET,
      REDIS_URL: redis.url,
    };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await stopBench?.();
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
      refused = (await chat((i % 2 ? a : b).url, TEAM_KEY, spend)).status === 402;
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
        const view = await adminAlerts<{
          mode: string;
          leader: boolean;
          rules: Array<{ id: string; state: string; lastSent: string | null }>;
        }>(gateway.url, 'GET', '');
        return view.json;
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
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    const bench = await startAlertsBench();
    ({ receiver, stop: stopBench } = bench);
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_store_test_key',
      GATEWAY_CONFIG: config(receiver, [
        '{ id: store, kind: store_unavailable, channels: [oncall, hook] }',
      ]),
      HOOK_SECRET,
      REDIS_URL: redis.url,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stopBench?.();
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
