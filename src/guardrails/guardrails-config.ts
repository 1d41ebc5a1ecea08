/** Guardrail policies as configured (GATEWAY_CONFIG `guardrails`), validated at start-up. */
export const POLICY_KINDS = [
  'pii',
  'keywords',
  'regex',
  'moderation',
  'json_schema',
  'webhook',
] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export const POLICY_STAGES = ['input', 'output', 'both'] as const;
export type PolicyStage = (typeof POLICY_STAGES)[number];

export const POLICY_ACTIONS = ['block', 'redact', 'flag'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export const PII_ENTITIES = [
  'email',
  'phone',
  'credit_card',
  'iban',
  'ssn',
  'ip_address',
  'secret',
] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

export type StreamingMode = 'window' | 'buffer' | 'none';

interface PolicyBase {
  id: string;
  stage: PolicyStage;
  action: PolicyAction;
}

export interface PiiPolicy extends PolicyBase {
  kind: 'pii';
  entities: PiiEntity[];
}

export interface KeywordsPolicy extends PolicyBase {
  kind: 'keywords';
  words: string[];
}

export interface RegexPolicy extends PolicyBase {
  kind: 'regex';
  patterns: string[];
}

export interface ModerationPolicy extends PolicyBase {
  kind: 'moderation';
  action: 'block' | 'flag';
  /** A Groq safety model, as a gateway model id (`groq/meta-llama/llama-guard-4-12b`). */
  model: string;
  /** Llama Guard's hazard codes that count (S1..S14); empty: every category. */
  categories: string[];
  /** For `openai/gpt-oss-safeguard-20b`: the policy it judges against. */
  policy?: string;
  onError: 'open' | 'closed';
  timeoutMs: number;
}

export interface JsonSchemaPolicy extends PolicyBase {
  kind: 'json_schema';
  action: 'block' | 'flag';
  /** A fixed schema; without it, the request's own `response_format` schema. */
  schema?: Record<string, unknown>;
}

export interface WebhookPolicy extends PolicyBase {
  kind: 'webhook';
  url: string;
  timeoutMs: number;
  onError: 'open' | 'closed';
  /** Extra request headers (an API key for the detector, say). */
  headers: Record<string, string>;
}

export type GuardrailPolicy =
  PiiPolicy | KeywordsPolicy | RegexPolicy | ModerationPolicy | JsonSchemaPolicy | WebhookPolicy;

export interface GuardrailsConfig {
  /** In configuration order; ids are unique. */
  policies: GuardrailPolicy[];
  /** Applied to every call. */
  defaults: string[];
  streaming: { mode: StreamingMode; windowChars: number };
  /** The status of an answer withheld by an output block: 400, or 446 as Portkey and Bifrost. */
  blockedStatus: number;
}

export const NO_GUARDRAILS: GuardrailsConfig = {
  policies: [],
  defaults: [],
  streaming: { mode: 'window', windowChars: 256 },
  blockedStatus: 400,
};

/** True when a policy checks this stage. */
export function appliesTo(policy: GuardrailPolicy, stage: 'input' | 'output'): boolean {
  return policy.stage === 'both' || policy.stage === stage;
}
