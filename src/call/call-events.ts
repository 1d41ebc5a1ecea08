import { Injectable, Logger } from '@nestjs/common';
import type { EndedCall, EndedCallListener } from './ended-call';

/**
 * The per-call `ended` event. Concerns that act on a finished call subscribe here instead of
 * listening on the socket. Listeners run synchronously in subscription order and must not block:
 * anything slow (a store, an export, a channel) queues and returns.
 */
@Injectable()
export class CallEvents {
  private readonly logger = new Logger('CallEvents');
  private listeners: EndedCallListener[] = [];

  /** Subscribes; the returned function unsubscribes. */
  onEnded(listener: EndedCallListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /** True when anyone listens: callers skip building the event otherwise (hot path). */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  emitEnded(call: EndedCall): void {
    for (const listener of this.listeners) {
      try {
        listener(call);
      } catch (error) {
        // One subscriber's fault never reaches the client or the other subscribers.
        this.logger.error({ err: error, requestId: call.requestId }, 'ended-call listener failed');
      }
    }
  }
}
