import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import type { Server } from 'node:http';
import type { AllConfig } from '../config/gateway-config';
import type { GatewayError } from '../common/errors/gateway-error';
import { shuttingDownError } from '../common/errors/shutting-down';

type Phase = 'serving' | 'draining' | 'closing';

/** After the grace period, how long cut streams have to send their error event. */
const GRACE_OVER_FLUSH_MS = 1000;

/** The refusal once the listener has closed: the connection is closed after it. */
const CLOSING = shuttingDownError({ connection: 'close' });

/**
 * Graceful shutdown, as Kubernetes does it. On SIGTERM readiness turns false at once; for
 * `drainDelayMs` new requests are still served (endpoints are being removed); then the listener
 * closes, and requests that still arrive on open connections get a clear 503. In-flight JSON
 * calls and streams have until `graceMs` to finish; those still open then are answered 503
 * `shutting_down` (in-band on an open stream) and end as every call does; then the process exits 0.
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger('Lifecycle');
  private phase: Phase = 'serving';
  private inFlight = 0;
  private idle?: () => void;
  private readonly closingHooks: Array<() => void> = [];
  private readonly graceOverHooks: Array<() => void> = [];
  private deadline?: number;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  get draining(): boolean {
    return this.phase !== 'serving';
  }

  /** Once SIGTERM came: when the grace ends (ms since the epoch); shutdown work finishes by then. */
  get shutdownDeadlineMs(): number | undefined {
    return this.deadline;
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /**
   * Part of the request hook: once the listener has closed, a request still arriving on an open
   * connection is refused with the error returned here (503, in its API's envelope: the hook
   * passes it to the exception filter); while draining, its connection is told to close.
   */
  refusalWhileClosing(reply: FastifyReply): GatewayError | undefined {
    if (this.phase === 'closing') return CLOSING;
    if (this.phase === 'draining') reply.header('connection', 'close');
    return undefined;
  }

  /** Counts a request (probes aside) as in flight; true if the caller must `untrack` it. */
  track(url: string): boolean {
    if (url.startsWith('/health/')) return false;
    this.inFlight++;
    return true;
  }

  /** The tracked request's response has closed. */
  untrack(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.idle?.();
  }

  /** Runs when the listener closes: requests that cannot finish now (bodies still arriving). */
  onClosing(hook: () => void): void {
    this.closingHooks.push(hook);
  }

  /** Runs when the grace period ends with requests still open (streams to end in-band). */
  onGraceOver(hook: () => void): void {
    this.graceOverHooks.push(hook);
  }

  /** Runs the drain; resolves when it is safe to close the app. */
  async drain(server: Server): Promise<void> {
    if (this.phase !== 'serving') return;
    const { drainDelayMs, graceMs } = this.config.get('gateway', { infer: true }).shutdown;
    this.deadline = Date.now() + drainDelayMs + graceMs;
    this.phase = 'draining';
    this.logger.log(`draining: readiness is false; accepting requests for ${drainDelayMs} ms more`);
    await sleep(drainDelayMs);
    this.phase = 'closing';
    server.close();
    server.closeIdleConnections?.();
    for (const hook of this.closingHooks) hook();
    if (this.inFlight > 0) {
      this.logger.log(`waiting up to ${graceMs} ms for ${this.inFlight} in-flight request(s)`);
      if (!(await this.idleWithin(graceMs))) {
        this.logger.warn(
          `grace period over with ${this.inFlight} request(s) still open; closing them`,
        );
        // Each call is answered 503 shutting_down (in-band on an open stream) and its upstream
        // cancelled; give their last bytes a moment to leave.
        for (const hook of this.graceOverHooks) hook();
        if (!(await this.idleWithin(GRACE_OVER_FLUSH_MS))) {
          // What no stage could answer is closed, so it still ends through `ended` (access line,
          // request log, budget settlement) before the application closes.
          this.logger.warn(`${this.inFlight} request(s) still open: closing their connections`);
          server.closeAllConnections?.();
          await this.idleWithin(GRACE_OVER_FLUSH_MS);
        }
      }
    }
  }

  private idleWithin(ms: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return Promise.race([
      new Promise<boolean>((resolve) => (this.idle = () => resolve(true))),
      sleep(ms).then(() => false),
    ]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
