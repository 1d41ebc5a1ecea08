import { createHmac, timingSafeEqual } from 'node:crypto';
import { GroqEmulator } from '../../emulator/emulator';
import { startHttpReceiver, type HttpReceiver, type ReceivedPost } from './alert-receivers';
import { ADMIN_KEY } from './governance-fixtures';

/** Virtual keys of the alerts tests: one with a $2 daily budget, one without. */
export const TEAM_KEY = 'vk-alerts-team-secret-0000000000';
export const FREE_KEY = 'vk-alerts-free-secret-0000000000';

export const say = (text: string) => ({ messages: [{ role: 'user', content: text }] });

/**
 * A call on team-a's budget (about $0.15 at the test prices) whose worst case, held while it is in
 * flight, is small beside the budget: so spend climbs in steps and the refusal comes near $2.
 */
export const spend = { ...say('spend'), max_tokens: 20 };

/**
 * GATEWAY_CONFIG for the alerts tests: team-a with a $2 daily budget (priced so that a few dozen
 * calls spend it), team-free without one, and an `alerts` block that evaluates every 0.2 s with
 * no cooldown, may reach the loopback receivers (unless told not to), and holds the channels and rules given.
 */
export function alertsYaml(parts: {
  channels: string[];
  rules: string[];
  extra?: string[];
  /** `alerts.allowPrivateNetworks` (true: the receivers are on loopback). */
  privateNetworks?: boolean;
}) {
  return [
    // Team `search` exists for the role-scoping test's admin-made key (unknown teams are refused).
    'teams:',
    '  - { id: search, name: Search }',
    'governance:',
    '  prices:',
    '    llama-3.3-70b-versatile: { input: 5000, output: 5000 }',
    '  virtualKeys:',
    '    - { id: team-a, keyEnv: TEAM_KEY, budget: { usd: 2, period: daily } }',
    '    - { id: team-free, keyEnv: FREE_KEY }',
    'alerts:',
    `  allowPrivateNetworks: ${parts.privateNetworks ?? true}`,
    '  evaluateSeconds: 0.2',
    '  cooldownSeconds: 0',
    ...(parts.extra ?? []).map((line) => `  ${line}`),
    '  channels:',
    ...parts.channels.map((channel) => `    - ${channel}`),
    '  rules:',
    ...parts.rules.map((rule) => `    - ${rule}`),
    '',
  ].join('\n');
}

/** The emulator and one loopback receiver every alerts test starts with. */
export async function startAlertsBench(keys?: string[]): Promise<{
  emulator: GroqEmulator;
  upstream: string;
  receiver: HttpReceiver;
  env: Record<string, string>;
  stop(): Promise<void>;
}> {
  const emulator = new GroqEmulator(keys ? { keys } : {});
  const upstream = await emulator.start();
  const receiver = await startHttpReceiver();
  return {
    emulator,
    upstream,
    receiver,
    env: {
      GROQ_BASE_URL: upstream,
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      TEAM_KEY,
      FREE_KEY,
      RETRY_MAX_ATTEMPTS: '1',
    },
    stop: async () => {
      await Promise.all([emulator.stop(), receiver.stop()]);
    },
  };
}

/** The admin alerts API with the admin key (or another, or none): status and JSON. */
export async function adminAlerts<T = Record<string, unknown>>(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  key: string | null = ADMIN_KEY,
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${url}/admin/alerts${path}`, {
    method,
    headers: key ? { authorization: `Bearer ${key}` } : {},
  });
  return { status: response.status, json: (await response.json()) as T };
}

/** Webhook messages by alert and state (`errors alert.firing`): each event must come once. */
export function eventsOf(receiver: HttpReceiver, path = '/hook'): Map<string, number> {
  const events = new Map<string, number>();
  for (const post of receiver.posts(path)) {
    const event = `${String(post.body.alertKey)} ${String(post.body.type)}`;
    events.set(event, (events.get(event) ?? 0) + 1);
  }
  return events;
}

/** A personal access token the admin key makes for this role and teams. */
export async function accessToken(url: string, role: string, teams: string[]): Promise<string> {
  const response = await fetch(`${url}/admin/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `alerts e2e ${role}`, role, teams }),
  });
  if (response.status !== 200 && response.status !== 201) {
    throw new Error(`POST /admin/tokens answered ${response.status}: ${await response.text()}`);
  }
  return ((await response.json()) as { token: string }).token;
}

/** The check a webhook receiver makes: HMAC-SHA256 over `<t>.<raw body>`, t within 5 minutes. */
export function signatureValid(post: ReceivedPost, secret: string): boolean {
  const header = String(post.headers['x-gateway-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  if (Math.abs(Date.now() / 1000 - Number(match[1])) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${post.raw}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2], 'hex'));
}

/** Webhook messages of one rule, in arrival order. */
export function hookPosts(receiver: HttpReceiver, rule: string, path = '/hook'): ReceivedPost[] {
  return receiver
    .posts(path)
    .filter((p) => (p.body.rule as { id?: string } | undefined)?.id === rule);
}
