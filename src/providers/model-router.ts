import { GatewayError, invalidRequest } from '../common/errors/gateway-error';
import type { ModelRoute } from './chat-types';

/** Provider prefixes the gateway knows. Anything else is a Groq id as a whole (`openai/gpt-oss-120b`). */
/**
 * What a model id may hold. Groq's ids fit (`meta-llama/llama-4-scout-17b-16e-instruct`); anything
 * else never reaches the upstream or a response header (`x-gateway-model`), so it cannot inject one.
 */
const MODEL_ID = /^[\w.:/-]{1,256}$/;

const PROVIDER_PREFIXES = { groq: 'groq/' } as const;

/**
 * Groq's own namespaced ids carry `groq/` themselves (Compound: `groq/compound`,
 * `groq/compound-mini`). They go upstream whole, whether written `groq/compound` or
 * `groq/groq/compound`.
 */
const GROQ_OWN_IDS = /^groq\/compound(?:-[\w.-]+)?$/;

/** The upstream id of `groq/<rest>`: Groq's own `groq/...` ids kept whole. */
function upstreamIdOfGroqPrefixed(target: string): string {
  if (GROQ_OWN_IDS.test(target)) return target;
  return target.slice(PROVIDER_PREFIXES.groq.length);
}

/**
 * Maps a client's model string to the provider and upstream id.
 * `groq/<id>` goes to Groq as `<id>`; a string with no known prefix goes to the default provider
 * (Groq) whole, so Groq's own namespaced ids work unchanged. Aliases from config are resolved
 * first; an unmapped Claude name is refused with a message that says how to map it.
 */
export function routeModel(
  model: string,
  aliases: Readonly<Record<string, string>> = NO_ALIASES,
  param = 'model',
): ModelRoute {
  // Routed once per model string and alias table: a route is read-only, shared by its calls.
  let routes = routed.get(aliases);
  if (!routes) {
    routes = new Map();
    routed.set(aliases, routes);
  }
  let route = routes.get(model);
  if (!route) {
    route = routeAnew(model, aliases, param);
    remember(routes, model, route);
  }
  return route;
}

const NO_ALIASES: Readonly<Record<string, string>> = {};

/** Routes by model string, per alias table (the configuration's, or a test's). */
const routed = new WeakMap<object, Map<string, ModelRoute>>();

/**
 * At most this many names are remembered per table: model strings come from clients, so the
 * table is emptied rather than let grow when a caller sends many different ones.
 */
const REMEMBERED = 1024;

function remember(table: Map<string, ModelRoute>, key: string, value: ModelRoute): void {
  if (table.size >= REMEMBERED) table.clear();
  table.set(key, value);
}

function routeAnew(
  model: string,
  aliases: Readonly<Record<string, string>>,
  param: string,
): ModelRoute {
  const requested = model.trim();
  if (!requested) {
    throw invalidRequest(
      'model must be a non-empty string such as groq/openai/gpt-oss-120b',
      param,
    );
  }
  if (!MODEL_ID.test(requested)) {
    throw new GatewayError({
      status: 400,
      message: `model must be at most 256 characters of letters, digits and . _ - : / (for example groq/openai/gpt-oss-120b); '${requested.slice(0, 64).replace(/[^\x20-\x7e]/g, '?')}' is not.`,
      param,
      code: 'invalid_model',
    });
  }
  const target = Object.hasOwn(aliases, requested) ? aliases[requested] : requested;
  if (target === requested && /^claude-/i.test(requested)) {
    throw new GatewayError({
      status: 400,
      message: `model '${requested}' is an Anthropic model, and this gateway serves Groq models. Map it with modelAliases in GATEWAY_CONFIG (${requested}: groq/openai/gpt-oss-120b) or MODEL_ALIASES, or send a groq/<model> id.`,
      param,
      code: 'model_not_mapped',
    });
  }
  if (target.startsWith(PROVIDER_PREFIXES.groq)) {
    const upstreamModel = upstreamIdOfGroqPrefixed(target);
    if (!upstreamModel) {
      throw invalidRequest(
        `model '${model}' names the groq provider but no model; use groq/<model id>`,
        param,
      );
    }
    return { provider: 'groq', upstreamModel, requestedModel: model };
  }
  return { provider: 'groq', upstreamModel: target, requestedModel: model };
}

/** The upstream id of a gateway model id: `groq/` stripped (aliases are not applied). */
export function bareModelId(model: string): string {
  return model.startsWith(PROVIDER_PREFIXES.groq) ? upstreamIdOfGroqPrefixed(model) : model;
}

/** Which surface a request came in on: the OpenAI one (`/v1`, `/openai/v1`) or the groq-sdk's. */
export type ApiSurface = 'openai' | 'groq';

export function surfaceOf(url: string): ApiSurface {
  return url.startsWith('/groq/') ? 'groq' : 'openai';
}

/**
 * The one name a served model has in everything the client and the operator see (the answer's
 * `model`, `x-gateway-model`, metrics, logs): `groq/<id>` on the OpenAI surface, Groq's bare id
 * on the groq-sdk's, whatever spelling (alias, bare id) the request used.
 */
export function publicModelName(upstreamId: string, surface: ApiSurface): string {
  return surface === 'groq' ? upstreamId : publicGroqModelId(upstreamId);
}

/** The public id of a Groq model as the gateway lists it (Groq's own `groq/` ids as they are). */
export function publicGroqModelId(upstreamId: string): string {
  return GROQ_OWN_IDS.test(upstreamId) ? upstreamId : `${PROVIDER_PREFIXES.groq}${upstreamId}`;
}
