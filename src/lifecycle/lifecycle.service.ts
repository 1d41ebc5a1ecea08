import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from 'node:http';
import type { AllConfig } from '../config/gateway-config';

type Phase = 'serving' | 'draining' | 'closing';

const SHUTTING_DOWN = {
  error: {
    message: 'The gateway is shutting down. Retry the request; another replica will take it.',
    type: 'api_error',
    code: 'shutting_down',
    param: null,
  },
};

/**
 * Graceful shutdown, as Kubernetes does it. On SIGTERM readiness turns false at once; for
 * `drainDelayMs` new requests are still served (endpoints are being removed); then the listener
 * closes, and requests that still arrive on open connections get a clear 503. In-flight JSON
 * calls and streams have until `graceMs` to finish; then the process exits 0.
 */
@Injectable()
export class LifecycleService {
  private readonly logger = new Logger('Lifecycle');
  private phase: Phase = 'serving';
  private inFlight = 0;
  private idle?: () => void;

  constructor(private readonly config: ConfigService<AllConfig, true>) {}

  get draining(): boolean {
    return this.phase !== 'serving';
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Fastify onRequest hook: counts the request until its response closes. */
  readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (this.phase === 'closing') {
      reply
        .status(503)
        .header('connection', 'close')
        .header('retry-after', '1')
        .send(SHUTTING_DOWN);
      return;
    }
    if (this.phase === 'draining') reply.header('connection', 'close');
    if (!request.url.startsWith('/health/')) {
      this.inFlight++;
      reply.raw.once('close', () => {
        this.inFlight--;
        if (this.inFlight === 0) this.idle?.();
      });
    }
    done();
  };

  /** Runs the drain; resolves when it is safe to close the app. */
  async drain(server: Server): Promise<void> {
    if (this.phase !== 'serving') return;
    const { drainDelayMs, graceMs } = this.config.get('gateway', { infer: true }).shutdown;
    this.phase = 'draining';
    this.logger.log(`draining: readiness is false; accepting requests for ${drainDelayMs} ms more`);
    await sleep(drainDelayMs);
    this.phase = 'closing';
    server.close();
    server.closeIdleConnections?.();
    if (this.inFlight > 0) {
      this.logger.log(`waiting up to ${graceMs} ms for ${this.inFlight} in-flight request(s)`);
      const finished = await Promise.race([
        new Promise<boolean>((resolve) => (this.idle = () => resolve(true))),
        sleep(graceMs).then(() => false),
      ]);
      if (!finished)
        this.logger.warn(
          `grace period over with ${this.inFlight} request(s) still open; closing them`,
        );
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
