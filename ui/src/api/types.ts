/** Shapes of the admin API the dashboard reads (docs/request-logs.md, docs/dashboard.md). */

import type {
  GuardrailRecord,
  LogRecord as StoredLogRecord,
} from '../../../src/request-logs/log-record';

/** One guardrail outcome of a logged call: the gateway's own type (src/request-logs/log-record.ts). */
export type GuardrailOutcome = GuardrailRecord;

/**
 * A request log record as the admin API answers it: the gateway's own record type (one source,
 * imported as a type only: nothing of the server is bundled), with the bodies absent from list
 * and tail answers and present (or null) in `GET /admin/logs/{requestId}` when the role may see them.
 */
export type LogRecord = Omit<StoredLogRecord, 'request_body' | 'response_body'> & {
  request_body?: string | null;
  response_body?: string | null;
};

export interface LogPage {
  data: LogRecord[];
  next_cursor: string | null;
}

export interface StatsRow {
  start: string | null;
  group: string | null;
  requests: number;
  errors: number;
  abandoned: number;
  error_rate: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms?: number | null;
  ttft_p95_ms?: number | null;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface Stats {
  from: string | null;
  to: string | null;
  group_by: string | null;
  interval: string | null;
  data: StatsRow[];
}

export type Role = 'admin' | 'developer' | 'viewer' | 'auditor';

export interface Me {
  subject: string;
  role: Role;
  teams: string[];
  via: 'admin_key' | 'token' | 'session';
  email?: string;
  permissions: string[];
}

export interface VirtualKey {
  id: string;
  name?: string;
  hint?: string;
  team?: string;
  models: string[];
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  budget?: { usd: number; period: string };
  guardrails?: string[];
  source: 'config' | 'admin';
  status: 'active' | 'revoked';
  createdAt: string;
  rotatedAt?: string;
  revokedAt?: string;
}

export interface KeyUsage {
  id: string;
  lastMinute: {
    requests: number;
    tokens: number;
    requestsPerMinute: number | null;
    tokensPerMinute: number | null;
  };
  budget: {
    usd: number;
    period: string;
    spentUsd: number;
    reservedUsd: number;
    remainingUsd: number;
    resetsAt: string;
  } | null;
}

export interface GroqKeyStatus {
  id: string;
  weight: number;
  available: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  trippedModels: string[];
  rejected?: { status: number; since: string };
  errorRate: number;
  latencyMs: number;
  /** The latest end of a model's rest on this key after a 429. */
  restingUntil?: string;
  /** Groq's rate limits per model on this key (Groq limits each model on its own). */
  models: GroqModelLimits[];
}

export interface GroqModelLimits {
  /** '' is the model list. */
  model: string;
  rateLimited: boolean;
  restingUntil?: string;
  remainingRequests?: number;
  remainingTokens?: number;
  limitTokens?: number;
  requestsResetAt?: string;
  tokensResetAt?: string;
}

export interface Team {
  id: string;
  name?: string;
  budget?: { usd: number; period: string };
  source: 'config' | 'admin';
  createdAt: string;
  updatedAt?: string;
  /** Live virtual keys in the team. */
  keys: number;
}

export interface TeamUsage {
  id: string;
  period: string;
  periodLabel: string;
  resetsAt: string;
  spentUsd: number;
  budget: { usd: number; period: string; reservedUsd: number; remainingUsd: number } | null;
  inFlight: { calls: number; reservedUsd: number };
  keys: string[];
}

export interface GuardrailPolicyView {
  id: string;
  kind: string;
  stage: string;
  action: string;
  [detail: string]: unknown;
}

export type GuardrailCounts = Record<'blocked' | 'flagged' | 'redacted' | 'error', number>;

export interface GuardrailEvent {
  time: string;
  requestId: string;
  policy: string;
  stage: string;
  outcome: 'blocked' | 'flagged' | 'redacted' | 'error';
  category: string | null;
  status: number;
  model: string | null;
  virtualKey: string | null;
  team: string | null;
}

export interface GuardrailsView {
  defaults: string[];
  streaming: { mode: string; windowChars: number };
  blockedStatus: number;
  policies: GuardrailPolicyView[];
  since: string;
  counts: Record<string, GuardrailCounts> | null;
  recent: GuardrailEvent[];
  recentLimit: number;
}

export interface AlertScope {
  virtualKey?: string;
  model?: string;
  keyId?: string;
  store?: string;
}

export interface AlertInstance {
  alertKey: string;
  scope: AlertScope;
  state: string;
  since: string | null;
  summary: string;
  figure: number | null;
  threshold: number | null;
  lastSent: string | null;
  lastError: string | null;
}

export interface AlertRule {
  id: string;
  kind: string;
  channels: string[];
  state: 'firing' | 'ok';
  firingSince: string | null;
  lastSent: string | null;
  lastError: string | null;
  alerts: AlertInstance[];
}

export interface AlertsView {
  mode: 'fleet' | 'replica';
  leader: boolean;
  evaluateSeconds: number;
  cooldownSeconds: number;
  channels: { id: string; kind: string }[];
  rules: AlertRule[];
  queued: number;
  error?: string;
}

export interface AlertDelivery {
  time: string;
  channel: string;
  rule: string;
  kind: string;
  state: string;
  summary: string;
  scope: AlertScope;
  outcome: 'sent' | 'failed' | 'refused' | 'dropped';
  attempts: number;
  error: string | null;
}
