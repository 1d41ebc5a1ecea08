import { createHmac, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroqEmulator } from '../emulator/emulator';
import {
  startSmtpReceiver,
  until,
  type HttpReceiver,
  type ReceivedPost,
} from './support/alert-receivers';
import {
  accessToken,
  adminAlerts,
  alertsYaml,
  FREE_KEY,
  say,
  spend,
  startAlertsBench,
  TEAM_KEY,
} from './support/alerts-fixtures';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, chat, writeGatewayConfig } from './support/governance-fixtures';

const KEYS = ['gsk_alerts_key_1', 'gsk_alerts_key_2'];
const ROUTING_KEY = 'pd-routing-key-e2e-0123456789';
const HOOK_SECRET = 'webhook-signing-secret-e2e-0123';

/** The check a webhook receiver makes: HMAC-SHA256 over `<t>.<body>`, t within 5 minutes. */
function signatureValid(post: ReceivedPost): boolean {
  const header = String(post.headers['x-gateway-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  if (Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', HOOK_SECRET).update(`${match[1]}.${post.raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}

/** What /admin/alerts answers: the view, a test report, or an error envelope. */
interface AdminAnswer {
  rules: Array<{ id: string } & Record<string, unknown>>;
  outcome?: string;
  error?: Record<string, unknown>;
}

// Alerts are evaluated on timers; a loaded machine needs more than the default 20 s per test.
jest.setTimeout(60_000);

describe('alerts: rules fire and resolve, each channel in its native format', () => {
  let emulator: GroqEmulator;
  let http: HttpReceiver;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let gateway: GatewayProcess;
  let stopBench: () => Promise<void>;

  beforeAll(async () => {
    const bench = await startAlertsBench(KEYS);
    ({ emulator, receiver: http, stop: stopBench } = bench);
    smtp = await startSmtpReceiver();
    const { path, dir } = writeGatewayConfig('');
    writeFileSync(join(dir, 'slack-webhook'), `${http.url}/slack\n`);
    writeFileSync(join(dir, 'smtp-url'), smtp.url);
    writeFileSync(join(dir, 'hook-secret'), HOOK_SECRET);
    writeFileSync(
      path,
      alertsYaml({
        extra: [
          'linkTemplate: https://grafana.example.com/d/gw?var-rule={rule}&var-key={virtualKey}&from={sinceMs}',
        ],
        channels: [
          `{ id: oncall, kind: pagerduty, routingKeyEnv: PD_ROUTING_KEY, eventsUrl: ${http.url}/pagerduty/v2/enqueue }`,
          `{ id: team-slack, kind: slack, webhookUrlFile: ${join(dir, 'slack-webhook')} }`,
          '{ id: teams, kind: teams, webhookUrlEnv: TEAMS_WEBHOOK_URL }',
          `{ id: mail, kind: email, smtpUrlFile: ${join(dir, 'smtp-url')}, from: gateway@example.com, to: [platform@example.com] }`,
          `{ id: hook, kind: webhook, url: ${http.url}/hook, secretFile: ${join(dir, 'hook-secret')} }`,
        ],
        rules: [
          '{ id: budget-80, kind: budget_usage, threshold: 0.8, channels: [mail, teams] }',
          '{ id: errors, kind: error_rate, threshold: 0.5, windowSeconds: 2, minRequests: 4, channels: [oncall, hook] }',
          '{ id: slow, kind: latency_p95, thresholdMs: 400, windowSeconds: 2, minRequests: 3, channels: [team-slack] }',
          '{ id: key-bad, kind: key_invalid, channels: [oncall] }',
        ],
      }),
    );
    gateway = await startGateway({
      ...bench.env,
      GROQ_API_KEYS: KEYS.join(','),
      GATEWAY_CONFIG: path,
      PD_ROUTING_KEY: ROUTING_KEY,
      TEAMS_WEBHOOK_URL: `${http.url}/teams`,
      BREAKER_COOLDOWN_MS: '50',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([stopBench?.(), smtp?.stop()]);
  });

  it('error_rate: a PagerDuty trigger and a signed webhook when 5xx pass the threshold, then their resolves', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => chat(gateway.url, FREE_KEY, say('[fault:500] hi'))),
    );
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 500]);

    const trigger = await until(() =>
      http
        .posts('/pagerduty/v2/enqueue')
        .find(
          (p) => p.body.event_action === 'trigger' && String(p.body.dedup_key).includes(':errors:'),
        ),
    );
    expect(trigger.body).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      client: 'Groq Gateway',
      payload: {
        summary: expect.stringMatching(
          /^\[FIRING\] errors: error rate 100\.0% over 2 s \(4 of 4 calls answered 5xx; threshold 50\.0%\)/,
        ),
        severity: 'error',
        source: expect.any(String),
        class: 'error_rate',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        custom_details: { rule: 'errors', figure: 1, threshold: 0.5 },
      },
      links: [
        {
          href: expect.stringMatching(
            /^https:\/\/grafana\.example\.com\/d\/gw\?var-rule=errors&var-key=&from=\d+$/,
          ),
        },
      ],
    });
    const hook = await until(() => http.posts('/hook').find((p) => p.body.type === 'alert.firing'));
    expect(signatureValid(hook)).toBe(true);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.body).toMatchObject({
      rule: { id: 'errors', kind: 'error_rate' },
      figure: 1,
      threshold: 0.5,
      unit: 'fraction',
    });
    // A forged body with the same header fails the check the receiver makes.
    expect(signatureValid({ ...hook, raw: hook.raw.replace('"figure":1', '"figure":0') })).toBe(
      false,
    );

    const state = await adminAlerts<AdminAnswer>(gateway.url, 'GET', '');
    const errors = state.json.rules.find((r) => r.id === 'errors');
    expect(errors).toMatchObject({ state: 'firing', firingSince: expect.any(String) });

    // The window empties: the alert ends, once, with the same dedup_key.
    const resolve = await until(() =>
      http
        .posts('/pagerduty/v2/enqueue')
        .find(
          (p) => p.body.event_action === 'resolve' && p.body.dedup_key === trigger.body.dedup_key,
        ),
    );
    expect(resolve.body).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: trigger.body.dedup_key,
    });
    const resolved = await until(() =>
      http.posts('/hook').find((p) => p.body.type === 'alert.resolved'),
    );
    expect(signatureValid(resolved)).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(
      http
        .posts('/pagerduty/v2/enqueue')
        .filter((p) => String(p.body.dedup_key) === trigger.body.dedup_key),
    ).toHaveLength(2);
    const after = await adminAlerts<AdminAnswer>(gateway.url, 'GET', '');
    expect(after.json.rules.find((r) => r.id === 'errors')).toMatchObject({
      state: 'ok',
      firingSince: null,
      lastSent: expect.any(String),
      lastError: null,
    });
  });

  it('latency_p95: a Slack Block Kit message when the emulator answers slowly, then a resolved one', async () => {
    // The error test's calls leave the 2 s window first.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const answers = await Promise.all(
      Array.from({ length: 3 }, () => chat(gateway.url, FREE_KEY, say('[fault:slow=700] hi'))),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const firing = await until(() =>
      http.posts('/slack').find((p) => String(p.body.text).startsWith('[FIRING] slow')),
    );
    const body = firing.body as {
      text: string;
      blocks: Array<{ type: string; fields?: unknown[] } & Record<string, unknown>>;
    };
    expect(body.text).toMatch(
      /^\[FIRING\] slow: p95 latency [\d,]+ ms over 2 s \(\d+ of \d+ calls slower than 400 ms\)$/,
    );
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: body.text, emoji: true },
    });
    expect(body.blocks[2].type).toBe('section');
    expect(body.blocks[2].fields).toContainEqual({ type: 'mrkdwn', text: '*Threshold*\n400 ms' });
    expect(body.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ type: 'button', url: expect.stringContaining('var-rule=slow') }],
    });
    await until(() =>
      http.posts('/slack').find((p) => String(p.body.text).startsWith('[RESOLVED] slow')),
    );
  });

  it('key_invalid: PagerDuty names the Groq key Groq refused, and resolves when it answers again', async () => {
    emulator.setKeyFault(KEYS[1], '401');
    for (let i = 0; i < 4; i++) await chat(gateway.url, FREE_KEY, say('hi'));
    const trigger = await until(() =>
      http
        .posts('/pagerduty/v2/enqueue')
        .find(
          (p) =>
            p.body.event_action === 'trigger' && String(p.body.dedup_key).includes(':key-bad:'),
        ),
    );
    expect(trigger.body.payload).toMatchObject({
      summary: '[FIRING] key-bad: Groq refused key key-2 with 401: revoked, expired or mistyped',
      component: 'Groq key key-2',
      custom_details: { scope: { keyId: 'key-2' }, status: 401 },
    });
    expect(JSON.stringify(trigger.body)).not.toContain(KEYS[1]);
    emulator.setKeyFault(KEYS[1], undefined);
    // The refused key is out of rotation until its probe (ten breaker cool-downs: 500 ms here);
    // the probe's 200 ends the alert.
    const resolved = () =>
      http
        .posts('/pagerduty/v2/enqueue')
        .find(
          (p) => p.body.event_action === 'resolve' && p.body.dedup_key === trigger.body.dedup_key,
        );
    for (let i = 0; i < 60 && !resolved(); i++) {
      expect((await chat(gateway.url, FREE_KEY, say('hi'))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await until(resolved);
  });

  it('budget_usage: mail over SMTP and a Teams Adaptive Card at 80% and at the whole budget', async () => {
    let refused = false;
    for (let i = 0; i < 40 && !refused; i++) {
      refused = (await chat(gateway.url, TEAM_KEY, spend)).status === 402;
    }
    expect(refused).toBe(true);
    const at80 = await until(() =>
      smtp.mails.find((m) =>
        m.subject.startsWith('[FIRING] budget-80: virtual key team-a has used'),
      ),
    );
    expect(at80.subject).toMatch(
      /^\[FIRING\] budget-80: virtual key team-a has used (8\d|9\d|100)\.\d% of its daily budget \(\$[\d.]+ spent and \$[\d.]+ held by calls in flight, of \$2\.00; threshold 80\.0%\)$/,
    );
    expect(at80.from).toBe('gateway@example.com');
    expect(at80.to).toEqual(['platform@example.com']);
    expect(at80.raw).toMatch(/Virtual key: team-a/);
    // Admission keeps spend plus reservations under the budget: the 402s are the 100 %.
    const whole = await until(() =>
      smtp.mails.find((m) => m.subject.includes('has reached its whole daily budget')),
    );
    expect(whole.subject).toMatch(
      /^\[FIRING\] budget-80: virtual key team-a has reached its whole daily budget: calls are refused with 402 budget_exceeded \(\$[\d.]+ spent and \$[\d.]+ held by calls in flight, of \$2\.00\)$/,
    );
    const cards = await until(() => {
      const posts = http.posts('/teams');
      return posts.length >= 2 ? posts : undefined;
    });
    for (const card of cards) {
      expect(card.body).toMatchObject({
        type: 'message',
        attachments: [
          {
            contentType: 'application/vnd.microsoft.card.adaptive',
            content: { type: 'AdaptiveCard', version: '1.4' },
          },
        ],
      });
    }
    const facts = (
      cards[0].body as { attachments: Array<{ content: { body: Array<{ facts: unknown }> } }> }
    ).attachments[0].content.body[2].facts as Array<{
      title: string;
      value: string;
    }>;
    expect(facts).toContainEqual({ title: 'Virtual key', value: 'team-a' });
  });

  it("GET /admin/alerts by role: a developer sees gateway-wide alerts and its teams' keys; only admin sends tests", async () => {
    type View = {
      rules: Array<{
        id: string;
        state: string;
        alerts: Array<{ scope: { virtualKey?: string } }>;
      }>;
    };
    // A key of team search, made through the admin API, whose budget two calls use up.
    const made = await fetch(`${gateway.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'search-key', team: 'search', budget: { usd: 0.2 } }),
    });
    expect(made.status).toBe(201);
    const searchKey = ((await made.json()) as { key: string }).key;
    let refused = false;
    for (let i = 0; i < 5 && !refused; i++) {
      refused = (await chat(gateway.url, searchKey, spend)).status === 402;
    }
    expect(refused).toBe(true);
    const keysIn = (view: View) =>
      new Set(view.rules.find((r) => r.id === 'budget-80')?.alerts.map((a) => a.scope.virtualKey));
    const admin = await until(async () => {
      const view = await adminAlerts<View>(gateway.url, 'GET', '');
      return keysIn(view.json).has('search-key') ? view : undefined;
    });
    expect(keysIn(admin.json)).toEqual(new Set(['team-a', 'search-key']));
    const search = await accessToken(gateway.url, 'developer', ['search']);
    const ads = await accessToken(gateway.url, 'developer', ['ads']);
    const auditor = await accessToken(gateway.url, 'auditor', []);
    const viewer = await accessToken(gateway.url, 'viewer', ['search']);
    const mine = await adminAlerts<View>(gateway.url, 'GET', '', search);
    expect(mine.status).toBe(200);
    // Its team's key, not team-a (a key of no team belongs to no developer).
    expect(keysIn(mine.json)).toEqual(new Set(['search-key']));
    const theirs = await adminAlerts<View>(gateway.url, 'GET', '', ads);
    expect(theirs.status).toBe(200);
    // Another team's key: neither its alerts nor the rule's firing state shows.
    expect(keysIn(theirs.json)).toEqual(new Set());
    expect(theirs.json.rules.find((r) => r.id === 'budget-80')?.state).toBe('ok');
    expect(theirs.json.rules.map((r) => r.id)).toEqual(admin.json.rules.map((r) => r.id));
    expect(JSON.stringify(theirs.json)).not.toMatch(/team-a|search-key/);
    const audited = await adminAlerts<View>(gateway.url, 'GET', '', auditor);
    expect(keysIn(audited.json)).toEqual(keysIn(admin.json));
    const forViewer = await adminAlerts<AdminAnswer>(gateway.url, 'GET', '', viewer);
    expect(forViewer).toMatchObject({ status: 403, json: { error: { type: expect.any(String) } } });
    for (const token of [search, auditor]) {
      const test = await adminAlerts<AdminAnswer>(gateway.url, 'POST', '/test?channel=hook', token);
      expect(test.status).toBe(403);
    }
  });

  it('POST /admin/alerts/test sends to one channel and reports it; refuses unknown and unauthenticated calls', async () => {
    const before = http.posts('/slack').length;
    const sent = await adminAlerts<AdminAnswer>(gateway.url, 'POST', '/test?channel=team-slack');
    expect(sent).toEqual({
      status: 200,
      json: { channel: 'team-slack', outcome: 'sent', attempts: 1 },
    });
    expect(http.posts('/slack')).toHaveLength(before + 1);
    expect(http.posts('/slack').at(-1)?.body.text).toMatch(/^\[TEST\] test: a test message/);
    const mail = await adminAlerts<AdminAnswer>(gateway.url, 'POST', '/test?channel=mail');
    expect(mail.json.outcome).toBe('sent');
    await until(() => smtp.mails.find((m) => m.subject.startsWith('[TEST]')));

    const unknown = await adminAlerts<AdminAnswer>(gateway.url, 'POST', '/test?channel=nope');
    expect(unknown).toMatchObject({
      status: 404,
      json: { error: { code: 'channel_not_found', param: 'channel' } },
    });
    const missing = await adminAlerts<AdminAnswer>(gateway.url, 'POST', '/test');
    expect(missing).toMatchObject({
      status: 400,
      json: { error: { code: 'missing_channel', param: 'channel' } },
    });
    const anonymous = await adminAlerts<AdminAnswer>(gateway.url, 'GET', '', null);
    expect(anonymous.status).toBe(401);
  });

  it('counts deliveries in groq_gateway_alerts_sent_total and keeps secrets out of the output', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /groq_gateway_alerts_sent_total\{rule="errors",channel="oncall",outcome="sent"\} 2/,
    );
    expect(metrics).toMatch(
      /groq_gateway_alerts_sent_total\{rule="test",channel="team-slack",outcome="sent"\} 1/,
    );
    const view = JSON.stringify((await adminAlerts<AdminAnswer>(gateway.url, 'GET', '')).json);
    for (const secret of [ROUTING_KEY, HOOK_SECRET, http.url, smtp.url, TEAM_KEY]) {
      expect(gateway.output()).not.toContain(secret);
      expect(view).not.toContain(secret);
    }
  });
});
