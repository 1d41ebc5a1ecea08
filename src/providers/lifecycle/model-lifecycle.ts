import { GatewayError } from '../../common/errors/gateway-error';
import { GROQ_DEPRECATIONS_URL, type KnownRetirement } from '../groq/groq-retirements';

/** What the gateway does with a retired model id (`models.onRetired`, global and per key). */
export const RETIRED_POLICIES = ['warn', 'substitute', 'refuse'] as const;
export type RetiredPolicy = (typeof RETIRED_POLICIES)[number];

export interface Retirement {
  readonly id: string;
  readonly retiredOn: string;
  readonly successor?: string;
  readonly source: string;
}

/** Retirements by upstream id. */
export type RetirementTable = ReadonlyMap<string, Retirement>;

/**
 * The shipped table with `models.successors` applied: a configured successor replaces the shipped
 * one, and an id the table does not know becomes an entry retired from `configuredOn` (the config
 * names it retired, so it is treated as retired already).
 */
export function buildRetirementTable(
  shipped: readonly KnownRetirement[],
  successors: Readonly<Record<string, string>>,
  configuredOn = '1970-01-01',
): Map<string, Retirement> {
  const table = new Map<string, Retirement>(shipped.map((entry) => [entry.id, entry]));
  for (const [id, successor] of Object.entries(successors)) {
    const known = table.get(id);
    table.set(id, {
      id,
      retiredOn: known?.retiredOn ?? configuredOn,
      successor,
      source: known ? `${known.source}; successor from models.successors` : 'models.successors',
    });
  }
  return table;
}

/** Midnight UTC of a `YYYY-MM-DD` day, in ms. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

/** `YYYY-MM-DD` of a moment, UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isRetired(retirement: Retirement, nowMs: number): boolean {
  return nowMs >= dayStartMs(retirement.retiredOn);
}

/**
 * The successor to serve for a retired id: the table's successor, followed while it is itself
 * retired (`llama3-70b-8192` -> `llama-3.3-70b-versatile` -> `openai/gpt-oss-120b`). Undefined
 * when the chain names none or loops.
 */
export function finalSuccessor(
  table: RetirementTable,
  id: string,
  nowMs: number,
): string | undefined {
  const seen = new Set<string>([id]);
  let current = table.get(id)?.successor;
  while (current !== undefined) {
    const next = table.get(current);
    if (!next || !isRetired(next, nowMs)) return current;
    if (seen.has(current)) return undefined;
    seen.add(current);
    current = next.successor;
  }
  return undefined;
}

export interface LifecycleDecision {
  readonly retirement: Retirement;
  readonly successor?: string;
  /** forward: as asked (warn); substitute: the successor is served; refuse: 400 here. */
  readonly action: 'forward' | 'substitute' | 'refuse';
}

/**
 * What to do with a call for `id` under `policy`. Undefined for an id with no known retirement.
 * Before the retirement day every policy only warns; `substitute` needs a successor (without one
 * it warns, and Groq's answer decides).
 */
export function decideRetired(
  table: RetirementTable,
  id: string,
  policy: RetiredPolicy,
  nowMs: number,
): LifecycleDecision | undefined {
  const retirement = table.get(id);
  if (!retirement) return undefined;
  const successor = finalSuccessor(table, id, nowMs);
  if (!isRetired(retirement, nowMs) || policy === 'warn')
    return { retirement, successor, action: 'forward' };
  if (policy === 'refuse') return { retirement, successor, action: 'refuse' };
  return { retirement, successor, action: successor ? 'substitute' : 'forward' };
}

/** A model id in the style the client wrote it: `groq/<id>` if it wrote `groq/...`, else bare. */
export function inClientStyle(upstreamId: string, requestedModel: string): string {
  if (!requestedModel.startsWith('groq/') || upstreamId.startsWith('groq/')) return upstreamId;
  return `groq/${upstreamId}`;
}

/**
 * The response headers for a call that named a retired id: `Deprecation` (RFC 9745, a structured
 * date: `@` and seconds since the epoch), `Sunset` (RFC 8594, an HTTP date), a `Link` to Groq's
 * deprecations page, `x-gateway-model-successor`, and `x-gateway-model-substituted` when the
 * successor served it.
 */
export function lifecycleHeaders(
  decision: LifecycleDecision,
  requestedModel: string,
): Record<string, string> {
  const retiredMs = dayStartMs(decision.retirement.retiredOn);
  const headers: Record<string, string> = {
    deprecation: `@${Math.floor(retiredMs / 1000)}`,
    sunset: new Date(retiredMs).toUTCString(),
    link: `<${GROQ_DEPRECATIONS_URL}>; rel="deprecation"`,
  };
  if (decision.successor) {
    headers['x-gateway-model-successor'] = inClientStyle(decision.successor, requestedModel);
    if (decision.action === 'substitute')
      headers['x-gateway-model-substituted'] =
        `${requestedModel} -> ${inClientStyle(decision.successor, requestedModel)}`;
  }
  return headers;
}

/** A sentence naming the successor, for error messages and logs. */
export function successorAdvice(decision: LifecycleDecision, requestedModel: string): string {
  return decision.successor
    ? `Its successor is \`${inClientStyle(decision.successor, requestedModel)}\`: send that, or set models.onRetired: substitute to have the gateway do it.`
    : `No successor is known to this gateway: name one with models.successors in GATEWAY_CONFIG, or see ${GROQ_DEPRECATIONS_URL}.`;
}

/** The 400 `refuse` answers with, without calling Groq. */
export function retiredModelRefusal(
  decision: LifecycleDecision,
  requestedModel: string,
  param = 'model',
): GatewayError {
  return new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    code: 'model_decommissioned',
    param,
    message: `The model \`${requestedModel}\` was retired by Groq on ${decision.retirement.retiredOn}, and this gateway refuses retired models (models.onRetired: refuse). ${successorAdvice(decision, requestedModel)}`,
    headers: lifecycleHeaders(decision, requestedModel),
  });
}

/** Groq's own `model_decommissioned` 400, with the successor named and the lifecycle headers. */
export function withSuccessorNamed(
  error: GatewayError,
  decision: LifecycleDecision,
  requestedModel: string,
): GatewayError {
  return new GatewayError({
    status: error.status,
    type: error.type,
    code: error.code,
    param: error.param ?? 'model',
    message: `${error.message} ${successorAdvice(decision, requestedModel)}`,
    headers: { ...error.headers, ...lifecycleHeaders(decision, requestedModel) },
    extra: error.extra,
  });
}
