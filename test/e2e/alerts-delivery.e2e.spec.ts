import { until, type HttpReceiver } from './support/alert-receivers';
import {
  adminAlerts,
  alertsYaml,
  FREE_KEY,
  say,
  startAlertsBench,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { chat, writeGatewayConfig } from './support/governance-fixtures';

async function timedCalls(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const answer = await chat(url, FREE_KEY, say('hi'));
    times.push(performance.now() - started);
    expect(answer.status).toBe(200);
  }
  return times.sort((x, y) => x - y);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];

// Alerts are evaluated on timers; a loaded machine needs more than the default 20 s per test.
jest.setTimeout(60_000);

describe('alert deliveries never slow requests', () => {
  let dead: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const bench = await startAlertsBench();
    ({ receiver: dead, stop: stopBench } = bench);
    dead.mode = 'hang';
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_delivery_key',
      GATEWAY_CONFIG: writeGatewayConfig(
        alertsYaml({
          channels: [
            `{ id: dead-slack, kind: slack, webhookUrl: ${dead.url}/slack }`,
            `{ id: dead-hook, kind: webhook, url: ${dead.url}/hook, secret: a-webhook-secret-of-16-chars }`,
          ],
          rules: [
            '{ id: errors, kind: error_rate, threshold: 0.01, windowSeconds: 1, minRequests: 1, channels: [dead-slack, dead-hook] }',
          ],
        }),
      ).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stopBench?.();
  });

  it('a channel that never answers leaves request latency as it was', async () => {
    await timedCalls(gateway.url, 10); // warm-up
    const before = await timedCalls(gateway.url, 40);
    // Alerts fire and resolve again and again, each message hanging on the dead receiver.
    for (let i = 0; i < 3; i++) {
      await chat(gateway.url, FREE_KEY, say('[fault:500] x'));
      await new Promise((resolve) => setTimeout(resolve, 1_300));
    }
    await until(() => dead.received.length >= 4);
    const { json: view } = await adminAlerts<{ queued: number }>(gateway.url, 'GET', '');
    expect(view.queued).toBeGreaterThan(0);
    const during = await timedCalls(gateway.url, 40);
    // Medians on a shared machine: the same within noise, and nowhere near the receiver's hang.
    expect(median(during)).toBeLessThan(median(before) * 2 + 10);
    expect(during.at(-1)).toBeLessThan(1_000);
  });
});

describe('SSRF: channels may not reach private networks unless allowed', () => {
  let receiver: HttpReceiver;
  let stopBench: () => Promise<void>;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    const bench = await startAlertsBench();
    ({ receiver, stop: stopBench } = bench);
    const port = new URL(receiver.url).port;
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEY: 'gsk_ssrf_key',
      GATEWAY_CONFIG: writeGatewayConfig(
        alertsYaml({
          privateNetworks: false,
          channels: [
            `{ id: by-name, kind: webhook, url: http://localhost:${port}/hook, secret: a-webhook-secret-of-16-chars }`,
            `{ id: literal, kind: slack, webhookUrl: http://127.0.0.1:${port}/slack }`,
            '{ id: metadata, kind: pagerduty, routingKey: k, eventsUrl: http://169.254.169.254/v2/enqueue }',
            `{ id: ipv6, kind: teams, webhookUrl: 'http://[::1]:${port}/teams' }`,
          ],
          rules: ['{ id: errors, kind: error_rate, channels: [by-name] }'],
        }),
      ).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stopBench?.();
  });

  it.each(['by-name', 'literal', 'metadata', 'ipv6'])(
    'refuses %s, whose address is loopback or link-local, before any byte is sent',
    async (channel) => {
      const answer = await adminAlerts(gateway.url, 'POST', `/test?channel=${channel}`);
      expect(answer).toEqual({
        status: 200,
        json: {
          channel,
          outcome: 'refused',
          attempts: 1,
          error: expect.stringContaining('alerts.allowPrivateNetworks: true') as unknown,
        },
      });
    },
  );

  it('sent nothing, and counted the refusals', async () => {
    expect(receiver.received).toHaveLength(0);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /groq_gateway_alerts_sent_total\{rule="test",channel="by-name",outcome="refused"\} 1/,
    );
  });
});
