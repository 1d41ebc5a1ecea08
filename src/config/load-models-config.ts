import { RETIRED_POLICIES, type RetiredPolicy } from '../providers/lifecycle/model-lifecycle';
import { bareModelId } from '../providers/model-router';
import { integer, objectAt } from './config-readers';
import { ConfigError, type GatewayConfig } from './gateway-config';

type Env = Record<string, string | undefined>;

/** `models` from GATEWAY_CONFIG: the list cache, retired-model successors and policy. */
export function loadModelsConfig(env: Env, yaml: Record<string, unknown>): GatewayConfig['models'] {
  const models = objectAt(yaml, 'models', 'GATEWAY_CONFIG models');
  return {
    cacheTtlMs: integer(
      'MODELS_CACHE_TTL_MS',
      env.MODELS_CACHE_TTL_MS ?? models.cacheTtlMs,
      60_000,
      0,
      86_400_000,
    ),
    successors: successors(models.successors),
    onRetired: retiredPolicy(models.onRetired, 'GATEWAY_CONFIG models.onRetired') ?? 'warn',
  };
}

/** `warn | substitute | refuse`, or undefined when absent. */
export function retiredPolicy(raw: unknown, setting: string): RetiredPolicy | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !(RETIRED_POLICIES as readonly string[]).includes(raw)) {
    throw new ConfigError(
      setting,
      `must be one of ${RETIRED_POLICIES.join(', ')}, got '${String(raw)}'`,
    );
  }
  return raw as RetiredPolicy;
}

function successors(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      'GATEWAY_CONFIG models.successors',
      'must map retired model ids to their successors (llama-3.3-70b-versatile: openai/gpt-oss-120b)',
    );
  }
  const table: Record<string, string> = {};
  for (const [retired, successor] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof successor !== 'string' || !successor.trim()) {
      throw new ConfigError(
        `GATEWAY_CONFIG models.successors.${retired}`,
        'must be a model id, e.g. openai/gpt-oss-120b',
      );
    }
    table[bareModelId(retired)] = bareModelId(successor.trim());
  }
  return table;
}
