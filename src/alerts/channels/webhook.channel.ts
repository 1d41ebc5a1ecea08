import { createHmac, randomUUID } from 'node:crypto';
import type { SignedWebhookChannel } from '../../config/alerts-config';
import type { AlertMessage } from '../alert-message';
import type { AlertChannel } from './alert-channel';
import type { HttpPoster } from './http-poster';

export const SIGNATURE_HEADER = 'x-gateway-signature';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, as Stripe signs its webhooks. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/** The JSON body a webhook receives. */
export function webhookPayload(message: AlertMessage, id: string): Record<string, unknown> {
  return {
    id,
    type: `alert.${message.state}`,
    rule: { id: message.ruleId, kind: message.kind },
    alertKey: message.alertKey,
    state: message.state,
    summary: message.summary,
    scope: message.scope,
    figure: message.figure ?? null,
    threshold: message.threshold ?? null,
    unit: message.unit,
    since: new Date(message.sinceMs).toISOString(),
    endedAt: message.endedAtMs === undefined ? null : new Date(message.endedAtMs).toISOString(),
    details: message.details,
    link: message.link ?? null,
    source: message.source,
  };
}

/**
 * A generic webhook: the JSON body signed with HMAC-SHA256 over `<t>.<body>`; a receiver checks
 * the signature and refuses a `t` older than its replay window (five minutes is usual). Each
 * attempt is signed afresh; retries of one message keep its `id` (x-gateway-event-id) so a
 * receiver can drop duplicates.
 */
export class WebhookChannel implements AlertChannel {
  readonly kind = 'webhook' as const;
  readonly id: string;
  private readonly ids = new WeakMap<AlertMessage, string>();

  constructor(
    private readonly config: SignedWebhookChannel,
    private readonly http: HttpPoster,
    private readonly now: () => number = Date.now,
  ) {
    this.id = config.id;
  }

  async send(message: AlertMessage): Promise<void> {
    let id = this.ids.get(message);
    if (!id) {
      id = randomUUID();
      this.ids.set(message, id);
    }
    const body = JSON.stringify(webhookPayload(message, id));
    const t = Math.floor(this.now() / 1000);
    await this.http.post(this.config.url, body, {
      [SIGNATURE_HEADER]: signatureHeader(this.config.secret, body, t),
      'x-gateway-event-id': id,
    });
  }
}
