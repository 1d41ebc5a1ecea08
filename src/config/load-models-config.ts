import { RETIRED_POLICIES, type RetiredPolicy } from '../providers/lifecycle/model-lifecycle';
import { bareModelId } from '../providers/model-router';
import { objectAt } from './config-readers';
import { ConfigError } from './gateway-config';
import type { RetiredModelsConfig } from './governance-config';

/**
 * `models.successors` and `models.onRetired` from GATEWAY_CONFIG (issue 15); undefined when
 * neither is set (the shipped table and `warn` apply). Read with governance, whose virtual keys
 * may each override `onRetired`.
 */
export function loadRetiredModelsConfig(
  yaml: Record<string, unknown>,
): RetiredModelsConfig | undefined {
  const models = objectAt(yaml, 'models', 'GATEWAY_CONFIG models');
  if (models.successors === undefined && models.onRetired === undefined) return undefined;
  return {
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
