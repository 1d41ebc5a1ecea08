import { RecentRing } from '../common/recent-ring';
import type { AlertMessage, AlertScope } from './alert-message';
import type { DeliveryReport } from './delivery-queue';

/** One message's delivery to one channel, after its retries (or a test sent by hand). */
export interface DeliveryRecord {
  time: string;
  channel: string;
  rule: string;
  kind: string;
  state: string;
  summary: string;
  scope: AlertScope;
  outcome: DeliveryReport['outcome'];
  attempts: number;
  error: string | null;
}

/** The last deliveries on this replica, newest first, bounded (GET /admin/alerts/deliveries). */
export class RecentDeliveries {
  private readonly items: RecentRing<DeliveryRecord>;

  constructor(capacity = 100) {
    this.items = new RecentRing(capacity);
  }

  add(message: AlertMessage, report: DeliveryReport, atMs = Date.now()): void {
    this.items.push({
      time: new Date(atMs).toISOString(),
      channel: report.channel,
      rule: message.ruleId,
      kind: message.kind,
      state: message.state,
      summary: message.summary,
      scope: message.scope,
      outcome: report.outcome,
      attempts: report.attempts,
      error: report.error ?? null,
    });
  }

  /** Newest first. */
  list(): readonly DeliveryRecord[] {
    return this.items.list();
  }
}
