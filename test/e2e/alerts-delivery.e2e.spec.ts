import { GroqEmulator } from '../emulator/emulator';
import { startHttpReceiver, until, type HttpReceiver } from './support/alert-receivers';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, chat, writeGatewayConfig } from './support/governance-fixtures';

const TEAM_KEY = 'vk-delivery-team-secret-00000000';
const say = (text: string) => ({ messages: [{ role: 'user', content: text }] });

async function timedCalls(url: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const answer = await chat(url, TEAM_KEY, say('hi'));
    times.push(performance.now() - started);
    expect(answer.status).toBe(200);
  }
  return times.sort((x, y) => x - y);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)];

async function test(url: string, channel: string) {
  const response = await fetch(`${url}/admin/alerts/test?channel=${channel}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

// Alerts are evaluated on timers; a loaded machine needs more than the default 20 s per test.
jest.setTimeout(60_000);

describe('alert deliveries never slow requests', () => {
  let emulator: GroqEmulator;
  let dead: HttpReceiver;
  let gateway: GatewayProcess;

  beforeAll(async () => {
    emulator = new GroqEmulator();
    const upstream = await emulator.start();
    dead = await startHttpReceiver();
    dead.mode = 'hang';
    gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: 'gsk_delivery_key',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      TEAM_KEY,
      RETRY_MAX_ATTEMPTS: '1',
      GATEWAY_CONFIG: writeGatewayConfig(`
governance:
  virtualKeys:
    - { id: team-a, keyEnv: TEAM_KEY }
alerts:
  allowPrivateNetworks: true
  evaluateSeconds: 0.1
  cooldownSeconds: 0
  channels:
    - { id: dead-slack, kind: slack, webhookUrl: ${dead.url}/slack }
    - { id: dead-hook, kind: webhook, url: ${dead.url}/hook, secret: a-webhook-secret-of-16-chars }
  rules:
    - { id: errors, kind: error_rate, threshold: 0.01, windowSeconds: 1, minRequests: 1, channels: [dead-slack, dead-hook] }
`).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([emulator?.stop(), dead?.stop()]);
  });

  it('a channel that never answers leaves request latency as it was', async () => {
    await timedCalls(gateway.url, 10); // warm-up
    const before = await timedCalls(gateway.url, 40);
    // Alerts fire and resolve again and again, each message hanging on the dead receiver.
    for (let i = 0; i < 3; i++) {
      await chat(gateway.url, TEAM_KEY, say('[fault:500] x'));
      await new Promise((resolve) => setTimeout(resolve, 1_300));
    }
    await until(() => dead.received.length >= 4);
    const view = (await (
      await fetch(`${gateway.url}/admin/alerts`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).json()) as { queued: number };
    expect(view.queued).toBeGreaterThan(0);
    const during = await timedCalls(gateway.url, 40);
    // Medians on a shared machine: the same within noise, and nowhere near the receiver's hang.
    expect(median(during)).toBeLessThan(median(before) * 2 + 10);
    expect(during.at(-1)).toBeLessThan(1_000);
  });
});

describe('SSRF: channels may not reach private networks unless allowed', () => {
  let receiver: HttpReceiver;
  let gateway: GatewayProcess;
  let emulator: GroqEmulator;

  beforeAll(async () => {
    emulator = new GroqEmulator();
    const upstream = await emulator.start();
    receiver = await startHttpReceiver();
    const port = new URL(receiver.url).port;
    gateway = await startGateway({
      GROQ_BASE_URL: upstream,
      GROQ_API_KEY: 'gsk_ssrf_key',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(`
alerts:
  channels:
    - { id: by-name, kind: webhook, url: http://localhost:${port}/hook, secret: a-webhook-secret-of-16-chars }
    - { id: literal, kind: slack, webhookUrl: http://127.0.0.1:${port}/slack }
    - { id: metadata, kind: pagerduty, routingKey: k, eventsUrl: http://169.254.169.254/v2/enqueue }
    - { id: ipv6, kind: teams, webhookUrl: 'http://[::1]:${port}/teams' }
  rules:
    - { id: errors, kind: error_rate, channels: [by-name] }
`).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([emulator?.stop(), receiver?.stop()]);
  });

  it.each(['by-name', 'literal', 'metadata', 'ipv6'])(
    'refuses %s, whose address is loopback or link-local, before any byte is sent',
    async (channel) => {
      const answer = await test(gateway.url, channel);
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
