import type { RuleKind } from '../config/alerts-config';

/** Where an alert applies: the whole gateway, or one virtual key, team, model, Groq key or store. */
export interface AlertScope {
  virtualKey?: string;
  /** A team's own budget (issue 20). */
  team?: string;
  model?: string;
  keyId?: string;
  store?: string;
}

/** One message to the channels: an alert that started, one that ended, or a test. */
export interface AlertMessage {
  /** `firing`: the condition started; `resolved`: it ended; `test`: POST /admin/alerts/test. */
  state: 'firing' | 'resolved' | 'test';
  ruleId: string;
  kind: RuleKind | 'test';
  /** Stable for one alert across its trigger and resolve (PagerDuty's dedup_key). */
  alertKey: string;
  scope: AlertScope;
  /** One line a person reads first: "error rate 12.0% over 5 min (threshold 5.0%)". */
  summary: string;
  /** The figure and threshold, in the rule's unit. */
  figure?: number;
  threshold?: number;
  unit: 'fraction' | 'ms' | 'count' | 'usd' | 'none';
  /** When the condition started, ms since the epoch. */
  sinceMs: number;
  /** When it ended (resolved messages). */
  endedAtMs?: number;
  /** Other facts worth a line: the window, the budget, the last status... */
  details: Record<string, string | number>;
  link?: string;
  /** Which gateway sent it (the pod name when there is one). */
  source: string;
}

/** "virtual key search-team, model groq/x": the scope in words, or "gateway" for the whole. */
export function scopeText(scope: AlertScope): string {
  const parts = [
    scope.virtualKey && `virtual key ${scope.virtualKey}`,
    scope.team && `team ${scope.team}`,
    scope.model && `model ${scope.model}`,
    scope.keyId && `Groq key ${scope.keyId}`,
    scope.store && `store ${scope.store}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'gateway';
}

/** The figure in its unit, for people: 12.0%, 5,300 ms, $41.20, 23. */
export function formatFigure(value: number | undefined, unit: AlertMessage['unit']): string {
  if (value === undefined) return '-';
  switch (unit) {
    case 'fraction':
      return `${(value * 100).toFixed(1)}%`;
    case 'ms':
      return `${Math.round(value).toLocaleString('en-US')} ms`;
    case 'usd':
      return `$${value.toFixed(2)}`;
    default:
      return String(value);
  }
}

/** A title line: "[FIRING] errors: error rate 12.0% ...". */
export function titleOf(message: AlertMessage): string {
  const tag =
    message.state === 'firing' ? 'FIRING' : message.state === 'resolved' ? 'RESOLVED' : 'TEST';
  return `[${tag}] ${message.ruleId}: ${message.summary}`;
}

/**
 * `alerts.linkTemplate` filled in: `{rule}`, `{kind}`, `{state}`, `{scope}`, `{virtualKey}`, `{team}`,
 * `{model}`, `{keyId}`, `{since}` (ISO time) and `{sinceMs}`, each URL-encoded; unknown names stay.
 */
export function renderLink(
  template: string | undefined,
  message: Omit<AlertMessage, 'link'>,
): string | undefined {
  if (!template) return undefined;
  const values: Record<string, string> = {
    rule: message.ruleId,
    kind: message.kind,
    state: message.state,
    scope: scopeText(message.scope),
    virtualKey: message.scope.virtualKey ?? '',
    team: message.scope.team ?? '',
    model: message.scope.model ?? '',
    keyId: message.scope.keyId ?? '',
    since: new Date(message.sinceMs).toISOString(),
    sinceMs: String(message.sinceMs),
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? encodeURIComponent(values[name]) : whole,
  );
}
