import { randomHex } from './ids';

/** W3C Trace Context: https://www.w3.org/TR/trace-context/ */
export interface TraceContext {
  traceId: string;
  /** The caller's span (parent of the gateway's), if the caller sent one. */
  parentId?: string;
  /** The gateway's own span for this request: the parent of the upstream call. */
  spanId: string;
  flags: string;
  tracestate?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Continues the caller's trace, or starts one (with `newTraceId` when given: the request id's
 * random digits, so one request draws its randomness once); invalid headers are ignored, as the
 * spec says.
 */
export function traceFrom(
  traceparent: string | undefined,
  tracestate: string | undefined,
  newTraceId?: string,
): TraceContext {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const valid = match && !/^0+$/.test(match[1]) && !/^0+$/.test(match[2]);
  if (valid && match) {
    return {
      traceId: match[1],
      parentId: match[2],
      spanId: randomHex(8),
      flags: match[3],
      tracestate: forwardableTracestate(tracestate),
    };
  }
  return { traceId: newTraceId ?? randomHex(16), spanId: randomHex(8), flags: '01' };
}

/**
 * The spec caps tracestate at 32 list members of printable ASCII (512 characters is what
 * vendors must keep). Anything longer or stranger is dropped, not forwarded to Groq.
 */
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;

function forwardableTracestate(tracestate: string | undefined): string | undefined {
  const trimmed = tracestate?.trim();
  return trimmed && TRACESTATE.test(trimmed) ? trimmed : undefined;
}

/** The traceparent the gateway sends upstream: same trace, the gateway's span as parent. */
export function upstreamTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/** Headers for the upstream call. */
export function traceHeaders(trace: TraceContext): Record<string, string> {
  const headers: Record<string, string> = { traceparent: upstreamTraceparent(trace) };
  if (trace.tracestate) headers.tracestate = trace.tracestate;
  return headers;
}
