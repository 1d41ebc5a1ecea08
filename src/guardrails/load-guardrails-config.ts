import { ConfigError } from '../config/gateway-config';
import { compileSchema } from './detectors/json-schema';
import { compilePattern } from './detectors/regex';
import {
  GuardrailPolicy,
  GuardrailsConfig,
  NO_GUARDRAILS,
  PII_ENTITIES,
  POLICY_ACTIONS,
  POLICY_KINDS,
  POLICY_STAGES,
  PiiEntity,
  StreamingMode,
} from './guardrails-config';

type Yaml = Record<string, unknown>;

const ID = /^[a-z0-9-]{1,64}$/;
const SAFETY_MODELS = /llama-guard|safeguard/;

/**
 * The keys each place may hold: a misspelt one (`defualts`, `entites`) would otherwise be ignored
 * in silence, and a safety setting that silently does nothing is worse than a refused start.
 */
const ROOT_KEYS = ['policies', 'defaults', 'streaming', 'blockedStatus'];
const STREAMING_KEYS = ['mode', 'windowChars'];
const COMMON_KEYS = ['id', 'kind', 'stage', 'action'];
const KIND_KEYS: Record<GuardrailPolicy['kind'], string[]> = {
  pii: ['entities'],
  keywords: ['words'],
  regex: ['patterns'],
  moderation: ['model', 'categories', 'policy', 'onError', 'timeoutMs'],
  json_schema: ['schema'],
  webhook: ['url', 'timeoutMs', 'onError', 'headers'],
};

/** The first key of `value` not in `allowed`, if any. */
function unknownKey(value: Yaml, allowed: readonly string[]): string | undefined {
  return Object.keys(value).find((key) => !allowed.includes(key));
}

/**
 * `guardrails` from GATEWAY_CONFIG. Every mistake (an unknown kind, entity or id, a pattern that
 * cannot run in linear time, an invalid schema) stops start-up with one line naming the policy.
 */
export function loadGuardrailsConfig(raw: unknown): GuardrailsConfig {
  if (raw === undefined || raw === null) return NO_GUARDRAILS;
  const root = mapping(raw, 'GATEWAY_CONFIG guardrails');
  const stray = unknownKey(root, ROOT_KEYS);
  if (stray !== undefined)
    throw new ConfigError(
      `GATEWAY_CONFIG guardrails.${stray}`,
      `unknown setting (one of ${ROOT_KEYS.join(', ')})`,
    );
  const list = root.policies ?? [];
  if (!Array.isArray(list))
    throw new ConfigError('GATEWAY_CONFIG guardrails.policies', 'must be a list of policies');
  const policies = list.map((entry, index) => policy(entry, index));
  const ids = new Set<string>();
  for (const p of policies) {
    if (ids.has(p.id))
      throw new ConfigError(`GATEWAY_CONFIG guardrails.policies (${p.id})`, 'duplicate policy id');
    ids.add(p.id);
  }
  const defaults = idList(root.defaults, 'GATEWAY_CONFIG guardrails.defaults', ids);
  const streaming = mapping(root.streaming ?? {}, 'GATEWAY_CONFIG guardrails.streaming');
  const strayStreaming = unknownKey(streaming, STREAMING_KEYS);
  if (strayStreaming !== undefined)
    throw new ConfigError(
      `GATEWAY_CONFIG guardrails.streaming.${strayStreaming}`,
      `unknown setting (one of ${STREAMING_KEYS.join(', ')})`,
    );
  const mode = (streaming.mode ?? 'window') as StreamingMode;
  if (!['window', 'buffer', 'none'].includes(mode))
    throw new ConfigError(
      'GATEWAY_CONFIG guardrails.streaming.mode',
      `must be window, buffer or none, got '${String(mode)}'`,
    );
  const windowChars = wholeNumber(
    streaming.windowChars ?? 256,
    'GATEWAY_CONFIG guardrails.streaming.windowChars',
    16,
    65_536,
  );
  const blockedStatus = wholeNumber(
    root.blockedStatus ?? 400,
    'GATEWAY_CONFIG guardrails.blockedStatus',
    400,
    499,
  );
  return { policies, defaults, streaming: { mode, windowChars }, blockedStatus };
}

/** Each configured virtual key's `guardrails` names configured policies. */
export function checkKeyGuardrails(
  keys: ReadonlyArray<{ id: string; guardrails?: string[] }>,
  config: GuardrailsConfig,
): void {
  const known = new Set(config.policies.map((p) => p.id));
  for (const key of keys)
    idList(key.guardrails, `GATEWAY_CONFIG governance.virtualKeys (${key.id}).guardrails`, known);
}

/** A list of policy ids, each one known. */
export function idList(raw: unknown, setting: string, known: ReadonlySet<string>): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.some((id) => typeof id !== 'string'))
    throw new ConfigError(setting, 'must be a list of policy ids');
  for (const id of raw as string[])
    if (!known.has(id)) throw new ConfigError(setting, `unknown guardrail policy '${id}'`);
  return [...new Set(raw as string[])];
}

function policy(entry: unknown, index: number): GuardrailPolicy {
  const item = mapping(entry, `GATEWAY_CONFIG guardrails.policies[${index}]`);
  const id = item.id;
  if (typeof id !== 'string' || !ID.test(id))
    throw new ConfigError(
      `GATEWAY_CONFIG guardrails.policies[${index}].id`,
      'must be 1-64 of a-z, 0-9 and -',
    );
  const where = `GATEWAY_CONFIG guardrails policy '${id}'`;
  const fail = (detail: string): never => {
    throw new ConfigError(where, detail);
  };
  const kind = item.kind as GuardrailPolicy['kind'];
  if (!POLICY_KINDS.includes(kind))
    fail(`unknown kind '${String(kind)}' (one of ${POLICY_KINDS.join(', ')})`);
  const stage = (item.stage ?? 'both') as GuardrailPolicy['stage'];
  if (!POLICY_STAGES.includes(stage))
    fail(`stage must be input, output or both, got '${String(stage)}'`);
  const action = item.action as GuardrailPolicy['action'];
  if (!POLICY_ACTIONS.includes(action))
    fail(`action must be block, redact or flag, got '${String(action)}'`);
  const allowed = [...COMMON_KEYS, ...KIND_KEYS[kind]];
  const strayKey = unknownKey(item, allowed);
  if (strayKey !== undefined)
    fail(`unknown setting '${strayKey}' for kind ${kind} (one of ${allowed.join(', ')})`);
  if (action === 'redact' && (kind === 'moderation' || kind === 'json_schema'))
    fail(`action redact is not possible for kind ${kind} (block or flag)`);
  const base = { id, stage, action };
  switch (kind) {
    case 'pii': {
      const entities = item.entities ?? [...PII_ENTITIES];
      if (!Array.isArray(entities) || entities.length === 0)
        fail('entities must be a non-empty list');
      for (const entity of entities as unknown[])
        if (!PII_ENTITIES.includes(entity as PiiEntity))
          fail(`unknown entity '${String(entity)}' (one of ${PII_ENTITIES.join(', ')})`);
      return { ...base, kind, entities: entities as PiiEntity[] };
    }
    case 'keywords': {
      const words = item.words;
      if (
        !Array.isArray(words) ||
        words.length === 0 ||
        words.some((w) => typeof w !== 'string' || !w.trim())
      )
        fail('words must be a non-empty list of words');
      return { ...base, kind, words: words as string[] };
    }
    case 'regex': {
      const patterns = item.patterns;
      if (
        !Array.isArray(patterns) ||
        patterns.length === 0 ||
        patterns.some((p) => typeof p !== 'string' || !p)
      )
        fail('patterns must be a non-empty list of regular expressions');
      for (const pattern of patterns as string[]) {
        try {
          compilePattern(pattern);
        } catch (error) {
          fail((error as Error).message);
        }
      }
      return { ...base, kind, patterns: patterns as string[] };
    }
    case 'moderation': {
      const model = item.model;
      if (typeof model !== 'string' || !SAFETY_MODELS.test(model))
        fail(
          'model must be a Groq safety model (groq/meta-llama/llama-guard-4-12b or groq/openai/gpt-oss-safeguard-20b)',
        );
      const categories = item.categories ?? [];
      if (
        !Array.isArray(categories) ||
        categories.some((c) => typeof c !== 'string' || !/^S([1-9]|1[0-4])$/.test(c))
      )
        fail("categories must be Llama Guard's hazard codes (S1 ... S14)");
      if (item.policy !== undefined && typeof item.policy !== 'string') fail('policy must be text');
      return {
        ...base,
        kind,
        action: action as 'block' | 'flag',
        model: model as string,
        categories: categories as string[],
        policy: item.policy as string | undefined,
        onError: onError(item.onError, fail),
        timeoutMs: wholeNumber(item.timeoutMs ?? 3000, `${where} timeoutMs`, 1, 600_000),
      };
    }
    case 'json_schema': {
      if (stage !== 'output') fail('json_schema judges answers only: stage must be output');
      let schema: Record<string, unknown> | undefined;
      if (item.schema !== undefined) {
        schema = mapping(item.schema, `${where} schema`);
        try {
          compileSchema(schema);
        } catch (error) {
          fail(`schema is not a valid JSON schema: ${(error as Error).message}`);
        }
      }
      return { ...base, kind, action: action as 'block' | 'flag', schema };
    }
    case 'webhook': {
      const url = item.url;
      let parsed: URL | undefined;
      try {
        parsed = new URL(String(url));
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        fail('url must be an http(s) URL');
      const headers = mapping(item.headers ?? {}, `${where} headers`);
      if (Object.values(headers).some((v) => typeof v !== 'string'))
        fail('headers must map names to strings');
      return {
        ...base,
        kind,
        url: String(url),
        timeoutMs: wholeNumber(item.timeoutMs ?? 1000, `${where} timeoutMs`, 1, 600_000),
        onError: onError(item.onError, fail),
        headers: headers as Record<string, string>,
      };
    }
  }
  return fail('unreachable');
}

function onError(raw: unknown, fail: (detail: string) => never): 'open' | 'closed' {
  const value = raw ?? 'open';
  if (value !== 'open' && value !== 'closed')
    fail(`onError must be open or closed, got '${String(value)}'`);
  return value as 'open' | 'closed';
}

function mapping(raw: unknown, setting: string): Yaml {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(setting, 'must be a mapping');
  return raw as Yaml;
}

function wholeNumber(raw: unknown, setting: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(
      setting,
      `must be a whole number from ${min} to ${max}, got '${String(raw)}'`,
    );
  return value;
}
