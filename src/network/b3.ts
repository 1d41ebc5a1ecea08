/**
 * B3 propagation (Zipkin's headers, which Istio and Zipkin users still send): the single `b3`
 * header (`{traceId}-{spanId}[-{sampled}[-{parentSpanId}]]`) or the `x-b3-*` family.
 * https://github.com/openzipkin/b3-propagation
 */
export type B3Style = 'single' | 'multi';

export interface B3Context {
  /** 32 hex digits: a 64-bit B3 trace id is left-padded with zeros, as the spec says. */
  traceId: string;
  parentId: string;
  /** W3C flags: '01' sampled, '00' not. */
  flags: string;
  style: B3Style;
}

const HEX_TRACE = /^([0-9a-f]{16}|[0-9a-f]{32})$/;
const HEX_SPAN = /^[0-9a-f]{16}$/;

type Headers = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sampledFlag(sampled: string | undefined, debug?: string): string {
  if (debug === '1' || sampled === 'd') return '01';
  return sampled === '0' || sampled === 'false' ? '00' : '01';
}

/** The caller's B3 trace, if it sent a valid one; invalid headers are ignored. */
export function b3From(headers: Headers): B3Context | undefined {
  const single = first(headers.b3)?.trim().toLowerCase();
  if (single) {
    const [traceId, spanId, sampled] = single.split('-');
    if (traceId && spanId && HEX_TRACE.test(traceId) && HEX_SPAN.test(spanId))
      return {
        traceId: traceId.padStart(32, '0'),
        parentId: spanId,
        flags: sampledFlag(sampled),
        style: 'single',
      };
    return undefined;
  }
  const traceId = first(headers['x-b3-traceid'])?.trim().toLowerCase();
  const spanId = first(headers['x-b3-spanid'])?.trim().toLowerCase();
  if (!traceId || !spanId || !HEX_TRACE.test(traceId) || !HEX_SPAN.test(spanId)) return undefined;
  return {
    traceId: traceId.padStart(32, '0'),
    parentId: spanId,
    flags: sampledFlag(first(headers['x-b3-sampled'])?.trim(), first(headers['x-b3-flags'])),
    style: 'multi',
  };
}

/** B3 headers for the upstream call, in the caller's style, with the gateway's span as the span. */
export function b3Headers(
  style: B3Style,
  traceId: string,
  spanId: string,
  parentId: string | undefined,
  flags: string,
): Record<string, string> {
  const sampled = flags === '00' ? '0' : '1';
  if (style === 'single')
    return { b3: `${traceId}-${spanId}-${sampled}${parentId ? `-${parentId}` : ''}` };
  return {
    'x-b3-traceid': traceId,
    'x-b3-spanid': spanId,
    ...(parentId ? { 'x-b3-parentspanid': parentId } : {}),
    'x-b3-sampled': sampled,
  };
}
