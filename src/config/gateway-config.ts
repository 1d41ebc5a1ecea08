import type { AuthConfig } from '../auth/auth-config';
import type { GuardrailsConfig } from '../guardrails/guardrails-config';
import type { AlertsConfig } from './alerts-config';
import type { GovernanceConfig } from './governance-config';
import type { NetworkConfig } from './network-config';
import type { ModelRouteConfig } from './model-routes-config';
import type { RequestLogsConfig } from './request-logs-config';

/** The validated, typed configuration the whole gateway runs on. Built once at start-up. */
export interface GroqKeyConfig {
  /** A name safe to log and to put in headers; never the key itself. */
  id: string;
  key: string;
  weight: number;
  /** Bare Groq model ids this key may serve; empty means every model. */
  models: string[];
}

export interface UpstreamTimeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
}

export interface GatewayConfig {
  port: number;
  /** Processes sharing the port (node:cluster); 1 runs the gateway in this process. */
  workers: number;
  host: string;
  logLevel: LogLevel;
  /** Largest body of a model call; other routes take at most 1 MiB of it (body-limits.ts). */
  bodyLimitBytes: number;
  /** What a request body may hold and how long it may take to arrive (json-body-reader.ts). */
  body: {
    /** Deepest nesting of objects and arrays, refused while the body arrives. */
    maxDepth: number;
    /** Most JSON values (objects, arrays, comma-separated items) in one body. */
    maxValues: number;
    /** A body not fully received this long after its request started gets a 408. */
    timeoutMs: number;
    /** Most bodies arriving at once; past it the oldest is refused (408) to make room. */
    maxUnfinished: number;
  };
  groq: {
    baseUrl: string;
    keys: GroqKeyConfig[];
    timeouts: UpstreamTimeouts;
    /** Upper bound on pooled keep-alive connections to Groq. */
    maxConnections: number;
  };
  models: { cacheTtlMs: number };
  retries: {
    /** Attempts per model, the first included. */
    maxAttempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    /** Longest retry-after the gateway waits on one model before trying fallbacks. */
    maxRetryAfterMs: number;
  };
  circuitBreaker: { failureThreshold: number; cooldownMs: number };
  /** Fallback models tried in order when a model fails after its retries, by model name. */
  fallbacks: Record<string, string[]>;
  /** Model routes: one model name served from several Groq models (issue 23). */
  routes: ModelRouteConfig[];
  shutdown: {
    /** After SIGTERM, how long new requests are still accepted (endpoints being removed). */
    drainDelayMs: number;
    /** How long in-flight requests and streams may take to finish before the process exits. */
    graceMs: number;
  };
  /** Model names an application already uses (e.g. Claude ids) mapped to gateway model ids. */
  modelAliases: Record<string, string>;
  completions: { convertWithoutHeader: boolean };
  /**
   * `/v1/responses`: converted to chat (`convert`, the default) or passed through to Groq's own
   * `/openai/v1/responses` (`native`, issue 15).
   */
  responses: { mode: ResponsesMode };
  /** OpenTelemetry export; off (and costless) unless OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  otel: { endpoint?: string; serviceName: string };
  /** Where state shared between replicas lives; undefined keeps it in memory. */
  redisUrl?: string;
  governance: GovernanceConfig;
  /** Input and output policies (issue 16); none configured: no check runs. */
  guardrails: GuardrailsConfig;
  network: NetworkConfig;
  requestLogs: RequestLogsConfig;
  /** Sign-in to the admin side (OIDC, SAML, sessions); undefined: no /auth routes. */
  auth?: AuthConfig;
  /** How often secret references (vault://, aws-sm://, ...) are read again. */
  secrets: { refreshSeconds: number };
  alerts: AlertsConfig;
}

export const RESPONSES_MODES = ['convert', 'native'] as const;
export type ResponsesMode = (typeof RESPONSES_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The root of `ConfigService`, so `config.get('gateway', { infer: true })` is typed. */
export interface AllConfig {
  gateway: GatewayConfig;
}

/** A configuration mistake: start-up stops with one line naming the setting. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`${setting}: ${detail}`);
    this.name = 'ConfigError';
  }
}
