import { bareModelId } from '../providers/model-router';
import { loadRetiredModelsConfig, retiredPolicy } from './load-models-config';
import { refusePlaceholder } from './placeholder-secrets';
import { createHash } from 'node:crypto';
import {
  boolean,
  integer,
  objectAt,
  readSecretFile,
  ReadFile,
  secretFromEnv,
  stringAt,
} from './config-readers';
import type {
  BudgetPeriod,
  GovernanceConfig,
  ModelPrice,
  TeamRecord,
  VirtualKeyRecord,
} from './governance-config';
import { ConfigError } from './gateway-config';

type Env = Record<string, string | undefined>;

/** The SHA-256 digest, hex, that virtual keys and the admin key are kept as. */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * `governance` and `audit` from GATEWAY_CONFIG, with GATEWAY_ADMIN_KEY(_FILE), AUDIT_LOG,
 * AUDIT_INCLUDE_PROMPTS and GOVERNANCE_ON_STORE_FAILURE from the environment winning.
 * Secrets are hashed here and the plain text goes no further.
 */
export function loadGovernanceConfig(
  env: Env,
  yaml: Record<string, unknown>,
  readFile: ReadFile,
): GovernanceConfig {
  const governance = objectAt(yaml, 'governance', 'GATEWAY_CONFIG governance');
  const audit = objectAt(yaml, 'audit', 'GATEWAY_CONFIG audit');
  const adminKey = secretFromEnv(env, 'GATEWAY_ADMIN_KEY', readFile);
  refusePlaceholder(
    env.GATEWAY_ADMIN_KEY !== undefined ? 'GATEWAY_ADMIN_KEY' : 'GATEWAY_ADMIN_KEY_FILE',
    adminKey,
  );
  if (adminKey !== undefined && adminKey.length < 16) {
    throw new ConfigError('GATEWAY_ADMIN_KEY', 'must be at least 16 characters');
  }
  const onStoreFailure =
    env.GOVERNANCE_ON_STORE_FAILURE ?? stringAt(governance, 'onStoreFailure') ?? 'open';
  if (onStoreFailure !== 'open' && onStoreFailure !== 'closed') {
    throw new ConfigError(
      'GOVERNANCE_ON_STORE_FAILURE',
      `must be open or closed, got '${onStoreFailure}'`,
    );
  }
  const configTeams = teams(yaml.teams);
  const keys = virtualKeys(governance.virtualKeys, env, readFile);
  const teamIds = new Set(configTeams.map((t) => t.id));
  keys.forEach((key, index) => {
    if (key.team !== undefined && !teamIds.has(key.team))
      throw new ConfigError(
        `GATEWAY_CONFIG governance.virtualKeys[${index}].team`,
        `names team '${key.team}', which is not in GATEWAY_CONFIG teams (${[...teamIds].join(', ') || 'none'})`,
      );
  });
  return {
    virtualKeys: keys,
    teams: configTeams,
    adminKeySha256: adminKey === undefined ? undefined : sha256Hex(adminKey),
    prices: prices(governance.prices),
    retiredModels: loadRetiredModelsConfig(yaml),
    onStoreFailure,
    clampToRemaining: boolean(
      'GATEWAY_CONFIG governance.clampToRemaining',
      governance.clampToRemaining,
      true,
    ),
    reserveOutputTokens: integer(
      'GATEWAY_CONFIG governance.reserveOutputTokens',
      governance.reserveOutputTokens,
      1024,
      1,
      1_048_576,
    ),
    reservationLeaseMs: integer(
      'GATEWAY_CONFIG governance.reservationLeaseMs',
      governance.reservationLeaseMs,
      600_000,
      1_000,
      86_400_000,
    ),
    audit: {
      destination: env.AUDIT_LOG?.trim() || stringAt(audit, 'destination') || 'stdout',
      includePrompts: boolean(
        'AUDIT_INCLUDE_PROMPTS',
        env.AUDIT_INCLUDE_PROMPTS ?? audit.includePrompts,
        false,
      ),
    },
  };
}

function virtualKeys(raw: unknown, env: Env, readFile: ReadFile): VirtualKeyRecord[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    throw new ConfigError('GATEWAY_CONFIG governance.virtualKeys', 'must be a list');
  }
  const records = raw.map((entry, index) => virtualKey(entry, index, env, readFile));
  const seen = new Set<string>();
  for (const record of records) {
    if (seen.has(record.id) || seen.has(record.keySha256)) {
      throw new ConfigError(
        'GATEWAY_CONFIG governance.virtualKeys',
        `duplicate id or key for '${record.id}'`,
      );
    }
    seen.add(record.id).add(record.keySha256);
  }
  return records;
}

function virtualKey(entry: unknown, index: number, env: Env, readFile: ReadFile): VirtualKeyRecord {
  const where = `GATEWAY_CONFIG governance.virtualKeys[${index}]`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(where, 'must be a mapping');
  }
  const item = entry as Record<string, unknown>;
  const id = stringAt(item, 'id');
  if (!id || !/^[\w.-]{1,64}$/.test(id)) {
    throw new ConfigError(`${where}.id`, 'must be 1-64 letters, digits, _ . or -');
  }
  let keySha256: string | undefined;
  if (typeof item.keySha256 === 'string') {
    keySha256 = item.keySha256.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(keySha256)) {
      throw new ConfigError(
        `${where}.keySha256`,
        'must be 64 hex characters (sha256sum of the key)',
      );
    }
  } else {
    const key =
      typeof item.keyEnv === 'string'
        ? env[item.keyEnv]
        : typeof item.keyFile === 'string'
          ? readSecretFile(`${where}.keyFile`, item.keyFile, readFile)
          : undefined;
    if (!key?.trim()) throw new ConfigError(where, 'needs keySha256, keyEnv or keyFile');
    keySha256 = sha256Hex(key.trim());
  }
  const team = item.team;
  if (team !== undefined && (typeof team !== 'string' || !/^[\w.-]{1,64}$/.test(team)))
    throw new ConfigError(`${where}.team`, 'must be a team id from GATEWAY_CONFIG teams');
  return {
    id,
    name: stringAt(item, 'name'),
    keySha256,
    ...(team !== undefined && { team }),
    source: 'config',
    createdAt: new Date(0).toISOString(),
    ...policyFromYaml(item, where),
  };
}

/** The limits part of a key, shared with the admin API's validation. */
export function policyFromYaml(
  item: Record<string, unknown>,
  where: string,
): Pick<
  VirtualKeyRecord,
  'models' | 'requestsPerMinute' | 'tokensPerMinute' | 'budget' | 'guardrails' | 'onRetired'
> {
  const models = item.models ?? [];
  if (!Array.isArray(models) || models.some((m) => typeof m !== 'string' || !m)) {
    throw new ConfigError(`${where}.models`, 'must be a list of model ids');
  }
  const parsedBudget = budgetAt(item.budget, where);
  const guardrails = item.guardrails;
  if (
    guardrails !== undefined &&
    (!Array.isArray(guardrails) || guardrails.some((g) => typeof g !== 'string' || !g))
  ) {
    throw new ConfigError(`${where}.guardrails`, 'must be a list of guardrail policy ids');
  }
  return {
    ...(guardrails !== undefined && { guardrails: guardrails as string[] }),
    models: (models as string[]).map(bareModelId),
    requestsPerMinute: positiveInteger(item.requestsPerMinute, `${where}.requestsPerMinute`),
    tokensPerMinute: positiveInteger(item.tokensPerMinute, `${where}.tokensPerMinute`),
    budget: parsedBudget,
    onRetired: retiredPolicy(item.onRetired, `${where}.onRetired`),
  };
}

/** A `budget: {usd, period}` (period daily or monthly, monthly by default), or undefined. */
function budgetAt(
  budget: unknown,
  where: string,
): { usd: number; period: BudgetPeriod } | undefined {
  if (budget === undefined || budget === null) return undefined;
  const b = budget as Record<string, unknown>;
  const usd = Number(b.usd);
  const period = b.period ?? 'monthly';
  if (typeof budget !== 'object' || !Number.isFinite(usd) || usd <= 0) {
    throw new ConfigError(`${where}.budget.usd`, 'must be a positive number of US dollars');
  }
  if (period !== 'daily' && period !== 'monthly') {
    throw new ConfigError(`${where}.budget.period`, 'must be daily or monthly');
  }
  return { usd, period: period as BudgetPeriod };
}

/** `teams: [{id, name, budget: {usd, period}}]` at the top of GATEWAY_CONFIG. */
function teams(raw: unknown): TeamRecord[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError('GATEWAY_CONFIG teams', 'must be a list');
  const seen = new Set<string>();
  return raw.map((entry, index) => {
    const where = `GATEWAY_CONFIG teams[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ConfigError(where, 'must be a mapping such as {id: search, name: Search}');
    const item = entry as Record<string, unknown>;
    const id = stringAt(item, 'id');
    if (!id || !/^[\w.-]{1,64}$/.test(id))
      throw new ConfigError(`${where}.id`, 'must be 1-64 letters, digits, _ . or -');
    if (seen.has(id)) throw new ConfigError(`${where}.id`, `duplicate team '${id}'`);
    seen.add(id);
    const budget = budgetAt(item.budget, where);
    return {
      id,
      name: stringAt(item, 'name'),
      ...(budget && { budget }),
      source: 'config' as const,
      createdAt: new Date(0).toISOString(),
    };
  });
}

function positiveInteger(raw: unknown, setting: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1e9) {
    throw new ConfigError(
      setting,
      `must be a whole number from 1 to 1000000000, got '${String(raw)}'`,
    );
  }
  return value;
}

function prices(raw: unknown): Record<string, ModelPrice> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      'GATEWAY_CONFIG governance.prices',
      'must map model ids to {input, output}',
    );
  }
  const table: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(raw as Record<string, unknown>)) {
    const p = (price ?? {}) as Record<string, unknown>;
    const input = Number(p.input);
    const output = Number(p.output);
    const cachedInput = p.cachedInput === undefined ? undefined : Number(p.cachedInput);
    if (
      !Number.isFinite(input) ||
      !Number.isFinite(output) ||
      input < 0 ||
      output < 0 ||
      (cachedInput !== undefined && !(Number.isFinite(cachedInput) && cachedInput >= 0))
    ) {
      throw new ConfigError(
        `GATEWAY_CONFIG governance.prices.${model}`,
        'needs input and output (and optionally cachedInput), USD per million tokens (e.g. {input: 0.15, cachedInput: 0.075, output: 0.6})',
      );
    }
    table[bareModelId(model)] =
      cachedInput === undefined ? { input, output } : { input, cachedInput, output };
  }
  return table;
}
