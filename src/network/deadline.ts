import { GatewayError } from '../common/errors/gateway-error';

type Headers = Record<string, string | string[] | undefined>;

/** The longest deadline taken from a header: a day (anything longer is no deadline at all). */
const MAX_DEADLINE_MS = 86_400_000;

/**
 * The caller's deadline, from Envoy's `x-envoy-expected-rq-timeout-ms` (what a mesh sidecar tells
 * its workload) or the generic `x-request-timeout-ms`: milliseconds from now; the shorter wins.
 * Returns the absolute time (Date.now() clock), or undefined when none is given or it is not a
 * positive whole number.
 */
export function deadlineFrom(headers: Headers, now: number): number | undefined {
  let shortest: number | undefined;
  for (const name of ['x-envoy-expected-rq-timeout-ms', 'x-request-timeout-ms']) {
    const raw = headers[name];
    if (typeof raw !== 'string') continue;
    const text = raw.trim();
    if (!/^\d{1,9}$/.test(text)) continue;
    const ms = Number(text);
    if (ms <= 0 || ms > MAX_DEADLINE_MS) continue;
    shortest = shortest === undefined ? ms : Math.min(shortest, ms);
  }
  return shortest === undefined ? undefined : now + shortest;
}

/** 504 `deadline_exceeded`: the caller's own deadline passed before the answer was complete. */
export function deadlineExceeded(): GatewayError {
  return new GatewayError({
    status: 504,
    message:
      "The caller's deadline (x-envoy-expected-rq-timeout-ms or x-request-timeout-ms) passed before the answer was complete; the upstream call was cancelled.",
    type: 'api_error',
    code: 'deadline_exceeded',
  });
}
