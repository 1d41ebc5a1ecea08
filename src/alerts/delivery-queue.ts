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
 * One alert's messages to one channel go out in order: a message waits until the one before it
 * (a resolve behind its firing still being retried) was sent or given up.
 */
export class DeliveryQueue {
  private readonly waiting: Delivery[] = [];
  /** Per alert and channel with a message under way: the messages held behind it, in order. */
  private readonly lanes = new Map<string, Delivery[]>();
  private held = 0;
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
    const delivery = { channel, message, attempt: 0, done };
    const lane = this.lanes.get(laneOf(delivery));
    if (lane) {
      lane.push(delivery);
      this.held++;
      return true;
    }
    this.lanes.set(laneOf(delivery), []);
    this.waiting.push(delivery);
    this.pump();
    return true;
  }

  /** Messages not yet delivered: waiting, in flight, backing off, or held behind another. */
  get size(): number {
    return this.waiting.length + this.inFlight + this.pendingRetries + this.held;
  }

  close(): number {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const lost = this.size;
    this.waiting.length = 0;
    this.lanes.clear();
    this.held = 0;
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
      this.ended(delivery, 'sent');
    } catch (error) {
      const failure =
        error instanceof DeliveryError ? error : new DeliveryError('the channel failed', true);
      if (failure.refused) return this.ended(delivery, 'refused', failure.message);
      if (!failure.retryable || delivery.attempt >= this.policy.attempts || this.closed) {
        return this.ended(delivery, 'failed', failure.message);
      }
      this.retryLater(delivery);
    }
  }

  /** A message sent or given up: counted, and the next one of its alert to its channel goes. */
  private ended(delivery: Delivery, outcome: DeliveryOutcome, error?: string): void {
    this.finish(delivery, outcome, error);
    if (this.closed) return;
    const lane = laneOf(delivery);
    const next = this.lanes.get(lane)?.shift();
    if (!next) {
      this.lanes.delete(lane);
      return;
    }
    this.held--;
    this.waiting.push(next);
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

function laneOf(delivery: Delivery): string {
  return `${delivery.channel.id}\u0000${delivery.message.alertKey}`;
}
