import { ConfigError } from './gateway-config';
import {
  ModelRouteConfig,
  ROUTE_STRATEGIES,
  RouteStrategy,
  RouteTargetConfig,
} from './model-routes-config';

/** A route id: lower-case letters, digits, `.`, `_`, `-`; no `/`, which Groq's own ids use. */
const ROUTE_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MODEL_ID = /^[\w.:/-]{1,256}$/;

/**
 * Groq's model ids without a namespace, current and retired (groq-wire.md), that a route id could
 * shadow. Namespaced ids (`openai/gpt-oss-20b`) cannot clash: a route id has no `/`. Compound's
 * ids are `groq/compound`: a route `compound` would take `groq/compound` from it.
 */
export const GROQ_UNPREFIXED_MODEL_IDS: ReadonlySet<string> = new Set([
  'llama-3.3-70b-versatile',
  'llama-3.1-8b-instant',
  'compound',
  'compound-mini',
  'gemma2-9b-it',
  'gemma-7b-it',
  'llama3-70b-8192',
  'llama3-8b-8192',
  'llama2-70b-4096',
  'mixtral-8x7b-32768',
  'allam-2-7b',
  'whisper-large-v3',
  'whisper-large-v3-turbo',
  'distil-whisper-large-v3-en',
  'playai-tts',
  'playai-tts-arabic',
]);

/**
 * The `routes:` list of GATEWAY_CONFIG, checked: ids unique and not a Groq model id
 * (`knownModelIds`, bare), strategies known, at least one target, targets real model ids with
 * positive weights and not another route. Each mistake names the setting, e.g. `routes[0].targets[1].weight`.
 */
export function loadRoutesConfig(
  raw: unknown,
  knownModelIds: ReadonlySet<string> = GROQ_UNPREFIXED_MODEL_IDS,
): ModelRouteConfig[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('GATEWAY_CONFIG routes', 'must be a list');
  const ids = new Set<string>();
  const routes = raw.map((entry: unknown, index) => {
    const at = `GATEWAY_CONFIG routes[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ConfigError(at, 'must be a mapping with id, strategy and targets');
    const route = entry as Record<string, unknown>;
    const id = route.id;
    if (typeof id !== 'string' || !ROUTE_ID.test(id))
      throw new ConfigError(
        `${at}.id`,
        'must be lower-case letters, digits, . _ - (at most 64, no /), e.g. fast',
      );
    if (ids.has(id)) throw new ConfigError(`${at}.id`, `'${id}' is used by another route`);
    if (knownModelIds.has(id))
      throw new ConfigError(`${at}.id`, `'${id}' is a Groq model id; a route must not shadow it`);
    ids.add(id);
    return {
      id,
      strategy: strategyOf(route.strategy, `${at}.strategy`),
      targets: targetsOf(route.targets, `${at}.targets`),
      fallbacks: fallbacksOf(route.fallbacks, `${at}.fallbacks`),
    };
  });
  for (const [index, route] of routes.entries()) {
    route.targets.forEach((target, t) => {
      if (ids.has(target.upstreamModel))
        throw new ConfigError(
          `GATEWAY_CONFIG routes[${index}].targets[${t}].model`,
          `'${target.model}' is a route; targets must be Groq models`,
        );
    });
  }
  return routes;
}

function strategyOf(raw: unknown, setting: string): RouteStrategy {
  if (raw === undefined) return 'weighted';
  if (typeof raw === 'string' && (ROUTE_STRATEGIES as readonly string[]).includes(raw))
    return raw as RouteStrategy;
  throw new ConfigError(setting, `must be one of ${ROUTE_STRATEGIES.join(', ')}`);
}

function targetsOf(raw: unknown, setting: string): RouteTargetConfig[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new ConfigError(setting, 'must list at least one { model, weight }');
  const seen = new Set<string>();
  return raw.map((entry: unknown, index) => {
    const at = `${setting}[${index}]`;
    const target = (typeof entry === 'string' ? { model: entry } : entry) as Record<
      string,
      unknown
    > | null;
    if (typeof target !== 'object' || target === null)
      throw new ConfigError(at, 'must be { model, weight }');
    const model = target.model;
    if (typeof model !== 'string' || !MODEL_ID.test(model.trim()))
      throw new ConfigError(
        `${at}.model`,
        'must be a Groq model id such as groq/llama-3.1-8b-instant',
      );
    const upstreamModel = model.trim().replace(/^groq\//, '');
    if (!upstreamModel)
      throw new ConfigError(`${at}.model`, 'names the groq provider but no model');
    if (seen.has(upstreamModel))
      throw new ConfigError(`${at}.model`, `'${model}' is listed twice in this route`);
    seen.add(upstreamModel);
    const weight = target.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > 1_000_000)
      throw new ConfigError(`${at}.weight`, 'must be a number above 0 (at most 1000000)');
    return { model: `groq/${upstreamModel}`, upstreamModel, weight };
  });
}

function fallbacksOf(raw: unknown, setting: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (Array.isArray(raw) && raw.every((m) => typeof m === 'string' && MODEL_ID.test(m)))
    return raw as string[];
  throw new ConfigError(setting, 'must be a list of model ids');
}
