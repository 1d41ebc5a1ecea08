import type { FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import type { ChatUsage } from '../providers/chat-types';
import type { TraceContext } from './trace-context';
import type { GovernedCall } from '../governance/governance.service';

/**
 * What the gateway learns about one request as it goes: which model and key served it, how many
 * attempts, upstream timing, tokens. Read once at the end for metrics and the access log line.
 */
export class RequestContext {
  readonly startedAt = performance.now();
  model?: string;
  keyId?: string;
  attempts = 0;
  retries = 0;
  fallbacks = 0;
  stream = false;
  /** When the first upstream attempt started, and when the upstream first answered (or failed). */
  upstreamStartedAt?: number;
  upstreamAnsweredAt?: number;
  /** When the first byte of a stream left for the client. */
  firstByteAt?: number;
  usage?: ChatUsage;
  /** The error code the client was answered with (envelope or in-band stream error). */
  errorCode?: string;
  /** Wall-clock start for the ended-call event. */
  readonly startedAtMs = Date.now();
  /** The virtual key the caller presented, once it is known to be valid. */
  virtualKeyId?: string;
  /** Set when governance admitted a model call: what its end must count. */
  governed?: GovernedCall;
  /**
   * Set once its end has been counted (metrics, access log), finished or abandoned; from the
   * start for probes and scrapes, which are not counted.
   */
  finished = false;

  constructor(readonly trace: TraceContext) {}

  /** Time in the gateway itself: everything but waiting for the upstream, in milliseconds. */
  overheadMs(now = performance.now()): number {
    const upstream =
      this.upstreamStartedAt === undefined
        ? 0
        : (this.upstreamAnsweredAt ?? now) - this.upstreamStartedAt;
    return Math.max(0, now - this.startedAt - upstream);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    gateway?: RequestContext;
  }
}

export function contextOf(request: FastifyRequest): RequestContext | undefined {
  return request.gateway;
}
