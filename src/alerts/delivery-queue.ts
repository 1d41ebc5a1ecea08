import type { AlertMessage } from './alert-message';
import type { AlertChannel } from './channels/alert-channel';
import { DeliveryError } from './channels/delivery-error';

export type DeliveryOutcome = 'sent' | 'failed' | 'refused' | 'dropped';

export interface DeliveryReport {
  channel: string;
  outcome: DeliveryOutcome;
  attempts: number;
  error?: string;
}

interface Delivery {
  channel: AlertChannel;
  message: AlertMessage;
  attempt: number;
  done?: (report: DeliveryReport) => void;
}

export interface DeliveryPolicy {
  limit: number;
  attempts: number;
  /** First backoff; doubled each attempt, with jitter, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Deliveries in flight at once, over every channel. */
  concurrency: number;
}

/**
 * Alert deliveries, off every request's path: a bounded queue (beyond its limit a message is
 * dropped and counted), a few at a time, each retried with exponential backoff and jitter while
 * the failure is one that may pass (a 5xx, a 429, a timeout). Every message ends counted once.
 */
export class DeliveryQueue {
  private readonly waiting: Delivery[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private pendingRetries = 0;
  private closed = false;

  constructor(
    private readonly policy: DeliveryPolicy,
    private readonly counted: (
      message: AlertMessage,
      channel: string,
      report: DeliveryReport,
    ) => void,
  ) {}

  /** Queues a message for a channel; false when the queue is full (the drop is counted). */
  enqueue(
    channel: AlertChannel,
    message: AlertMessage,
    done?: (report: DeliveryReport) => void,
  ): boolean {
    if (this.closed || this.size >= this.policy.limit) {
      this.finish({ channel, message, attempt: 0, done }, 'dropped', 'the alert queue is full');
      return false;
    }
    this.waiting.push({ channel, message, attempt: 0, done });
    this.pump();
    return true;
  }

  /** Messages not yet delivered: waiting, in flight, or backing off. */
  get size(): number {
    return this.waiting.length + this.inFlight + this.pendingRetries;
  }

  close(): number {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const lost = this.size;
    this.waiting.length = 0;
    return lost;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < this.policy.concurrency && this.waiting.length > 0) {
      const delivery = this.waiting.shift() as Delivery;
      this.inFlight++;
      void this.attempt(delivery).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempt++;
    try {
      await delivery.channel.send(delivery.message);
      this.finish(delivery, 'sent');
    } catch (error) {
      const failure =
        error instanceof DeliveryError ? error : new DeliveryError('the channel failed', true);
      if (failure.refused) return this.finish(delivery, 'refused', failure.message);
      if (!failure.retryable || delivery.attempt >= this.policy.attempts || this.closed) {
        return this.finish(delivery, 'failed', failure.message);
      }
      this.retryLater(delivery);
    }
  }

  private retryLater(delivery: Delivery): void {
    const exponential = this.policy.backoffMs * 2 ** (delivery.attempt - 1);
    const delay = Math.min(this.policy.maxBackoffMs, exponential) * (0.5 + Math.random() * 0.5);
    this.pendingRetries++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.pendingRetries--;
      this.waiting.push(delivery);
      this.pump();
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }

  private finish(delivery: Delivery, outcome: DeliveryOutcome, error?: string): void {
    const report = { channel: delivery.channel.id, outcome, attempts: delivery.attempt, error };
    this.counted(delivery.message, delivery.channel.id, report);
    delivery.done?.(report);
  }
}
