/** Alert channels and rules (`alerts` in GATEWAY_CONFIG): what reaches people, and when. */
export type ChannelKind = 'slack' | 'teams' | 'pagerduty' | 'email' | 'webhook';

interface ChannelBase {
  /** Named by rules and by `POST /admin/alerts/test?channel=`; safe to log. */
  id: string;
}

/** Slack incoming webhook or a Teams workflow webhook: the URL itself is the secret. */
export interface WebhookUrlChannel extends ChannelBase {
  kind: 'slack' | 'teams';
  url: string;
}

export interface PagerDutyChannel extends ChannelBase {
  kind: 'pagerduty';
  routingKey: string;
  eventsUrl: string;
}

export interface EmailChannel extends ChannelBase {
  kind: 'email';
  /** smtp://user:pass@host:587 (STARTTLS when offered), smtps:// (TLS from the start). */
  smtpUrl: string;
  from: string;
  to: string[];
}

export interface SignedWebhookChannel extends ChannelBase {
  kind: 'webhook';
  url: string;
  /** HMAC-SHA256 key for `x-gateway-signature`. */
  secret: string;
}

export type ChannelConfig =
  WebhookUrlChannel | PagerDutyChannel | EmailChannel | SignedWebhookChannel;

export type RuleKind =
  | 'budget_usage'
  | 'error_rate'
  | 'latency_p95'
  | 'upstream_unavailable'
  | 'key_invalid'
  | 'store_unavailable'
  | 'guardrail_blocks';

export const RULE_KINDS: readonly RuleKind[] = [
  'budget_usage',
  'error_rate',
  'latency_p95',
  'upstream_unavailable',
  'key_invalid',
  'store_unavailable',
  'guardrail_blocks',
];

export interface RuleConfig {
  id: string;
  kind: RuleKind;
  channels: string[];
  /**
   * budget_usage: fraction of the budget (0.8); error_rate / upstream_unavailable: fraction of
   * calls; guardrail_blocks: blocks in the window. Unused by the other kinds.
   */
  threshold: number;
  /** latency_p95 only. */
  thresholdMs: number;
  windowSeconds: number;
  /** Fewer calls than this in the window never fire (a rate over three calls is noise). */
  minRequests: number;
  /** After a resolve, the same alert does not fire again for this long. */
  cooldownMs: number;
}

export interface AlertsConfig {
  channels: ChannelConfig[];
  rules: RuleConfig[];
  cooldownMs: number;
  /** `{rule}`, `{kind}`, `{scope}`, `{virtualKey}`, `{model}`, `{keyId}`, `{since}`, `{state}`. */
  linkTemplate?: string;
  /** Lets channel URLs reach loopback, link-local and private addresses (off: SSRF). */
  allowPrivateNetworks: boolean;
  /** How often the rules are evaluated. */
  evaluateIntervalMs: number;
  /** Attempts per message, the first included, before it counts as failed. */
  deliveryAttempts: number;
  /** Messages waiting for delivery at most; more are dropped and counted. */
  queueLimit: number;
}
