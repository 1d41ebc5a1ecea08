import type {
  AlertsConfig,
  ChannelConfig,
  ChannelKind,
  RuleConfig,
  RuleKind,
} from './alerts-config';
import { RULE_KINDS } from './alerts-config';
import { boolean, decimal, integer, objectAt, type ReadFile } from './config-readers';
import { ConfigError } from './gateway-config';
import { readSecretField } from './secret-field';

type Env = Record<string, string | undefined>;

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
const CHANNEL_KINDS: readonly ChannelKind[] = ['slack', 'teams', 'pagerduty', 'email', 'webhook'];
const ID = /^[A-Za-z0-9][\w.-]{0,63}$/;

/** Defaults per rule kind: what a rule without the setting means. */
const RULE_DEFAULTS: Record<
  RuleKind,
  { threshold: number; windowSeconds: number; minRequests: number }
> = {
  budget_usage: { threshold: 0.8, windowSeconds: 0, minRequests: 0 },
  error_rate: { threshold: 0.05, windowSeconds: 300, minRequests: 20 },
  latency_p95: { threshold: 0, windowSeconds: 300, minRequests: 20 },
  upstream_unavailable: { threshold: 0.5, windowSeconds: 60, minRequests: 5 },
  key_invalid: { threshold: 0, windowSeconds: 0, minRequests: 0 },
  store_unavailable: { threshold: 0, windowSeconds: 0, minRequests: 0 },
  guardrail_blocks: { threshold: 20, windowSeconds: 300, minRequests: 0 },
};

/** `alerts` from GATEWAY_CONFIG, secrets read (value, `<field>File` or `<field>Env`). */
export function loadAlertsConfig(
  env: Env,
  yaml: Record<string, unknown>,
  readFile: ReadFile,
): AlertsConfig {
  const alerts = objectAt(yaml, 'alerts', 'GATEWAY_CONFIG alerts');
  const channels = listAt(alerts, 'channels').map((entry, index) =>
    channel(entry, `GATEWAY_CONFIG alerts.channels[${index}]`, env, readFile),
  );
  uniqueIds(channels, 'GATEWAY_CONFIG alerts.channels');
  const cooldownSeconds = integer(
    'GATEWAY_CONFIG alerts.cooldownSeconds',
    alerts.cooldownSeconds,
    300,
    0,
    86_400,
  );
  const rules = listAt(alerts, 'rules').map((entry, index) =>
    rule(entry, `GATEWAY_CONFIG alerts.rules[${index}]`, channels, cooldownSeconds),
  );
  uniqueIds(rules, 'GATEWAY_CONFIG alerts.rules');
  const linkTemplate = alerts.linkTemplate;
  if (linkTemplate !== undefined && (typeof linkTemplate !== 'string' || !linkTemplate.trim())) {
    throw new ConfigError('GATEWAY_CONFIG alerts.linkTemplate', 'must be a URL template string');
  }
  return {
    channels,
    rules,
    cooldownMs: cooldownSeconds * 1000,
    linkTemplate: linkTemplate?.trim(),
    allowPrivateNetworks: boolean(
      'GATEWAY_CONFIG alerts.allowPrivateNetworks',
      alerts.allowPrivateNetworks,
      false,
    ),
    evaluateIntervalMs: Math.round(
      decimal('GATEWAY_CONFIG alerts.evaluateSeconds', alerts.evaluateSeconds, 10, 0.05, 300) *
        1000,
    ),
    deliveryAttempts: integer(
      'GATEWAY_CONFIG alerts.deliveryAttempts',
      alerts.deliveryAttempts,
      5,
      1,
      20,
    ),
    queueLimit: integer('GATEWAY_CONFIG alerts.queueLimit', alerts.queueLimit, 1000, 1, 100_000),
  };
}

function channel(entry: unknown, where: string, env: Env, readFile: ReadFile): ChannelConfig {
  const item = mapping(entry, where);
  const id = idOf(item, where);
  const kind = item.kind;
  if (typeof kind !== 'string' || !(CHANNEL_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`${where}.kind`, `must be one of ${CHANNEL_KINDS.join(', ')}`);
  }
  const secret = (field: string) => readSecretField(item, field, where, env, readFile);
  switch (kind as ChannelKind) {
    case 'slack':
    case 'teams': {
      // `url` overrides the webhook (a relay, a test receiver); otherwise the webhook URL itself.
      const url = secret('url') ?? secret('webhookUrl');
      if (!url)
        throw new ConfigError(
          where,
          `a ${kind} channel needs webhookUrl (or webhookUrlFile, webhookUrlEnv, url)`,
        );
      return { id, kind: kind as 'slack' | 'teams', url: httpUrl(url, `${where}.webhookUrl`) };
    }
    case 'pagerduty': {
      const routingKey = secret('routingKey');
      if (!routingKey)
        throw new ConfigError(
          where,
          'a pagerduty channel needs routingKey (or routingKeyFile, routingKeyEnv)',
        );
      const eventsUrl = secret('eventsUrl') ?? PAGERDUTY_EVENTS_URL;
      return {
        id,
        kind: 'pagerduty',
        routingKey,
        eventsUrl: httpUrl(eventsUrl, `${where}.eventsUrl`),
      };
    }
    case 'email': {
      const smtpUrl = secret('smtpUrl');
      if (!smtpUrl)
        throw new ConfigError(where, 'an email channel needs smtpUrl (or smtpUrlFile, smtpUrlEnv)');
      checkSmtpUrl(smtpUrl, `${where}.smtpUrl`);
      const from = item.from;
      if (typeof from !== 'string' || !from.includes('@')) {
        throw new ConfigError(`${where}.from`, 'must be an email address');
      }
      const to = typeof item.to === 'string' ? [item.to] : item.to;
      if (
        !Array.isArray(to) ||
        to.length === 0 ||
        to.some((a) => typeof a !== 'string' || !a.includes('@'))
      ) {
        throw new ConfigError(`${where}.to`, 'must be a list of email addresses');
      }
      return { id, kind: 'email', smtpUrl, from, to: to as string[] };
    }
    case 'webhook': {
      const url = secret('url');
      if (!url) throw new ConfigError(where, 'a webhook channel needs url (or urlFile, urlEnv)');
      const signingSecret = secret('secret');
      if (!signingSecret || signingSecret.length < 16) {
        throw new ConfigError(
          `${where}.secret`,
          'a webhook channel needs a signing secret of at least 16 characters (secret, secretFile or secretEnv)',
        );
      }
      return { id, kind: 'webhook', url: httpUrl(url, `${where}.url`), secret: signingSecret };
    }
  }
}

function rule(
  entry: unknown,
  where: string,
  channels: readonly ChannelConfig[],
  cooldownSeconds: number,
): RuleConfig {
  const item = mapping(entry, where);
  const id = idOf(item, where);
  const kind = item.kind;
  if (typeof kind !== 'string' || !(RULE_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`${where}.kind`, `must be one of ${RULE_KINDS.join(', ')}`);
  }
  const defaults = RULE_DEFAULTS[kind as RuleKind];
  const names = typeof item.channels === 'string' ? [item.channels] : item.channels;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string')) {
    throw new ConfigError(`${where}.channels`, 'must list channel ids');
  }
  for (const name of names as string[]) {
    if (!channels.some((c) => c.id === name)) {
      throw new ConfigError(`${where}.channels`, `no channel '${name}' in alerts.channels`);
    }
  }
  const fraction =
    kind === 'budget_usage' || kind === 'error_rate' || kind === 'upstream_unavailable';
  const threshold =
    kind === 'guardrail_blocks'
      ? integer(`${where}.threshold`, item.threshold, defaults.threshold, 1, 1_000_000)
      : fraction
        ? decimal(`${where}.threshold`, item.threshold, defaults.threshold, 0.0001, 1)
        : 0;
  if (kind === 'latency_p95' && item.thresholdMs === undefined) {
    throw new ConfigError(`${where}.thresholdMs`, 'a latency_p95 rule needs thresholdMs');
  }
  return {
    id,
    kind: kind as RuleKind,
    channels: names as string[],
    threshold,
    thresholdMs:
      kind === 'latency_p95'
        ? integer(`${where}.thresholdMs`, item.thresholdMs, 0, 1, 3_600_000)
        : 0,
    windowSeconds: defaults.windowSeconds
      ? integer(`${where}.windowSeconds`, item.windowSeconds, defaults.windowSeconds, 1, 3_600)
      : 0,
    minRequests: defaults.windowSeconds
      ? integer(`${where}.minRequests`, item.minRequests, defaults.minRequests, 1, 1_000_000)
      : 0,
    cooldownMs:
      integer(`${where}.cooldownSeconds`, item.cooldownSeconds, cooldownSeconds, 0, 86_400) * 1000,
  };
}

function listAt(source: Record<string, unknown>, key: string): unknown[] {
  const value = source[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw new ConfigError(`GATEWAY_CONFIG alerts.${key}`, 'must be a list');
  return value;
}

function mapping(entry: unknown, where: string): Record<string, unknown> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(where, 'must be a mapping');
  }
  return entry as Record<string, unknown>;
}

function idOf(item: Record<string, unknown>, where: string): string {
  if (typeof item.id !== 'string' || !ID.test(item.id)) {
    throw new ConfigError(`${where}.id`, 'must be a name of letters, digits, _ . - (at most 64)');
  }
  return item.id;
}

function uniqueIds(items: readonly { id: string }[], where: string): void {
  const seen = new Set<string>();
  for (const { id } of items) {
    if (seen.has(id)) throw new ConfigError(where, `duplicate id '${id}'`);
    seen.add(id);
  }
}

/** The setting names the field; the URL itself may be a secret and is never echoed. */
function httpUrl(raw: string, setting: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
  } catch {
    // reported below
  }
  throw new ConfigError(setting, 'must be an http(s) URL');
}

function checkSmtpUrl(raw: string, setting: string): void {
  try {
    const url = new URL(raw);
    if ((url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname) return;
  } catch {
    // reported below
  }
  throw new ConfigError(setting, 'must be an smtp:// (STARTTLS) or smtps:// (TLS) URL');
}
