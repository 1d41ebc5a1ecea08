import { createHash } from 'node:crypto';
import { scopeText, titleOf, type AlertMessage } from '../alert-message';

const SEVERITY: Record<string, 'critical' | 'error' | 'warning' | 'info'> = {
  upstream_unavailable: 'critical',
  store_unavailable: 'critical',
  key_invalid: 'error',
  error_rate: 'error',
  latency_p95: 'warning',
  budget_usage: 'warning',
  guardrail_blocks: 'warning',
  test: 'info',
};

/** The same for an alert's trigger and its resolve, and on every replica. */
export function dedupKey(message: AlertMessage): string {
  const digest = createHash('sha256').update(message.alertKey).digest('hex').slice(0, 16);
  return `groq-gateway:${message.ruleId}:${digest}`;
}

/**
 * PagerDuty Events API v2: `trigger` with a payload (summary at most 1,024 characters, source,
 * severity, timestamp, custom_details) and links; `resolve` with only the routing and dedup keys.
 */
export function pagerDutyPayload(
  message: AlertMessage,
  routingKey: string,
): Record<string, unknown> {
  const dedup_key =
    message.state === 'test' ? `groq-gateway:test:${message.sinceMs}` : dedupKey(message);
  if (message.state === 'resolved') {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  }
  const event: Record<string, unknown> = {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    client: 'Groq Gateway',
    payload: {
      summary: titleOf(message).slice(0, 1024),
      source: message.source,
      severity: SEVERITY[message.kind] ?? 'error',
      timestamp: new Date(message.sinceMs).toISOString(),
      component: scopeText(message.scope),
      group: 'groq-gateway',
      class: message.kind,
      custom_details: {
        rule: message.ruleId,
        scope: message.scope,
        figure: message.figure,
        threshold: message.threshold,
        unit: message.unit,
        since: new Date(message.sinceMs).toISOString(),
        ...message.details,
      },
    },
  };
  if (message.link) {
    event.client_url = message.link;
    event.links = [{ href: message.link, text: 'Open in the dashboard' }];
  }
  return event;
}
