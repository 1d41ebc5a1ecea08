import { randomHex } from './ids';
import { b3Headers, type B3Context, type B3Style } from '../network/b3';

/** W3C Trace Context: https://www.w3.org/TR/trace-context/ */
export interface TraceContext {
  traceId: string;
  /** The caller's span (parent of the gateway's), if the caller sent one. */
  parentId?: string;
  /** The gateway's own span for this request: the parent of the upstream call. */
  spanId: string;
  flags: string;
  tracestate?: string;
  /** The caller sent B3 headers (and no valid traceparent): B3 goes upstream too, in its style. */
  b3?: B3Style;
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
  /** The caller's B3 trace, continued when there is no valid traceparent. */
  b3?: B3Context,
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
  if (b3)
    return {
      traceId: b3.traceId,
      parentId: b3.parentId,
      spanId: randomHex(8),
      flags: b3.flags,
      b3: b3.style,
    };
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
  if (trace.b3)
    Object.assign(
      headers,
      b3Headers(trace.b3, trace.traceId, trace.spanId, trace.parentId, trace.flags),
    );
  return headers;
}
