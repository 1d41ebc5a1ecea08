import type { ErrorCode } from '../common/errors/error-codes';
import type { TeamRecord, VirtualKeyRecord } from '../config/governance-config';
import type { ChatUsage } from '../providers/chat-types';

/** nginx's status for a request the client closed before the answer was complete. */
export const CLIENT_CLOSED_REQUEST = 499;

/** Which wire format a call came in on. */
export type ApiFamily =
  'chat' | 'responses' | 'completions' | 'anthropic' | 'models' | 'admin' | 'auth' | 'ui' | 'other';

/** One guardrail policy's outcome on one call (issue 16). */
export interface GuardrailOutcome {
  readonly policy: string;
  readonly stage: 'input' | 'output';
  readonly outcome: 'pass' | 'flagged' | 'redacted' | 'blocked' | 'error';
  readonly category?: string;
}

/** What governance admitted a call as: its end settles the usage against this key. */
export interface GovernedCall {
  readonly key: VirtualKeyRecord;
  /** The upstream id of the model asked for, for the price when the served one has none. */
  readonly requestedModel?: string;
  /** The worst case the call reserved at admission, released when it is settled. */
  readonly reservationId?: string;
  /** The key's team at admission (issue 20): its spend counts there too. */
  readonly team?: TeamRecord;
}

/**
 * What subscribers of the per-call `ended` event receive: the whole call, once, when its response
 * finished or its client left. Read-only: subscribers (metrics, access log, budget settlement,
 * request logs, alerts, guardrail audit) never change it.
 */
export interface EndedCall {
  readonly requestId: string;
  readonly traceId: string;
  readonly method: string;
  /** The path without its query string. */
  readonly path: string;
  /** Fastify's route pattern, or 'unmatched'. */
  readonly httpRoute: string;
  readonly apiFamily: ApiFamily;
  /** The status the client saw; 499 when it left first. */
  readonly status: number;
  /** The error code of the envelope (or in-band stream error) the client got, if any. */
  readonly errorCode?: ErrorCode;
  /** That envelope's `param`: the field at fault, when one is. */
  readonly errorParam?: string;
  /** A 402 `budget_exceeded` for a budget used up: whose, the virtual key's or its team's. */
  readonly budgetRefused?: 'key' | 'team';
  /** Wall-clock start, ms since the epoch. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  /** The gateway's own time: to the first byte of a stream or the end, less the upstream's. */
  readonly overheadMs: number;
  /** Whether an upstream call was started (a call refused before it never reached Groq). */
  readonly upstreamStarted: boolean;
  /** From the start to the first byte of a stream, or of the answer. */
  readonly firstByteMs?: number;
  readonly stream: boolean;
  /** The model as the caller wrote it. */
  readonly modelAsked?: string;
  /** The model that served it, in its public name. */
  readonly model?: string;
  /** A model route (issue 23) the call went through, and its chosen target. */
  readonly modelRoute?: { readonly id: string; readonly target: string };
  /** The gateway's Groq key id that served it. */
  readonly keyId?: string;
  readonly virtualKeyId?: string;
  /** Set when governance admitted the call against a virtual key's limits. */
  readonly governed?: GovernedCall;
  readonly teamId?: string;
  readonly attempts: number;
  readonly retries: number;
  readonly fallbacks: number;
  /**
   * As the upstream reported it; when it never did but the call reached Groq (a stream left
   * early or failed mid-way, a JSON call given up on), the gateway's estimate (`usageEstimated`,
   * unreported-usage.ts); absent for a call refused or failed before any output.
   */
  readonly usage?: ChatUsage;
  /** `usage` (and `costUsd`) are the gateway's estimate: Groq never reported them. */
  readonly usageEstimated?: boolean;
  readonly costUsd?: number;
  /** `costUsd` as the x-gateway-cost-usd header and the access log write it (formatUsd). */
  readonly costUsdText?: string;
  readonly guardrails?: readonly GuardrailOutcome[];
  /** Tokens guardrail judges (moderation models) spent on this call's behalf, charged to its key. */
  readonly guardrailUsage?: ReadonlyArray<{ readonly model: string; readonly usage: ChatUsage }>;
  readonly clientAddress?: string;
  /** The verified client certificate's URI SAN or subject (mTLS, or a trusted mesh's XFCC). */
  readonly clientIdentity?: string;
  /** The client address came from a trusted proxy's X-Forwarded-For / Forwarded. */
  readonly addressForwarded?: boolean;
  readonly userAgent?: string;
  /** Request and response bodies, only when something asked to keep them (LOGS_BODIES). */
  readonly requestBody?: unknown;
  readonly responseBody?: unknown;
  /** The prompt sent upstream, in tokens at about four characters each (estimated once). */
  estimatePromptTokens(): number;
}

export type EndedCallListener = (call: EndedCall) => void;
