import { pathOf } from '../common/http/path-of';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import {
  isGovernanceEnabled,
  type ModelPrice,
  type VirtualKeyRecord,
} from '../config/governance-config';
import { bareModelId, routeModel } from '../providers/model-router';
import { estimateRequestTokens } from '../providers/groq/token-estimate';
import { MetricsService } from '../metrics/metrics.service';
import { admissionHeaders, anthropicAdmissionHeaders } from './admission-headers';
import { AuditLog } from './audit-log';
import { budgetPeriod, costNanoUsd, NANO_USD_PER_USD, usdFromNano } from './budget';
import {
  admissionRefused,
  governanceUnavailable,
  missingKey,
  modelNotAllowed,
  modelNotPriced,
  unknownKey,
} from './governance-errors';
import { KeyRegistry } from './key-registry';
import type { Admission, GovernanceStore } from './store/governance-store';
import { MemoryGovernanceStore } from './store/memory-store';
import { RedisGovernanceStore } from './store/redis-store';
import { presentedKey } from './virtual-key';
import type { GatewayError } from '../common/errors/gateway-error';

/** What the end of a governed call needs to count it. */
export interface GovernedCall {
  key: VirtualKeyRecord;
  requestedModel?: string;
  /** The prompt as sent, guessed at only if the upstream never reports usage. */
  prompt: unknown;
}

const KEY_REFRESH_MS = 1_000;

/**
 * Virtual keys, limits and budgets around every model call. Authentication never fails open: an
 * unknown key is refused whatever the store's state. Limits follow `onStoreFailure` while the
 * store cannot be reached: `open` admits (uncounted) and `closed` answers 503.
 */
@Injectable()
export class GovernanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Governance');
  private readonly config: GatewayConfig;
  readonly store: GovernanceStore;
  readonly registry: KeyRegistry;
  readonly audit: AuditLog;
  /** With no virtual key configured and no admin API, the gateway is open. */
  readonly enabled: boolean;
  private storeHealthy = true;
  private lastStoreWarning = 0;
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly metrics: MetricsService,
  ) {
    this.config = configService.get('gateway', { infer: true });
    const governance = this.config.governance;
    this.store = this.config.redisUrl
      ? new RedisGovernanceStore(this.config.redisUrl, (error) => this.storeFailed(error))
      : new MemoryGovernanceStore();
    this.registry = new KeyRegistry(governance.virtualKeys, this.store);
    this.audit = new AuditLog(governance.audit.destination, governance.audit.includePrompts);
    this.enabled = isGovernanceEnabled(governance);
  }

  async onModuleInit(): Promise<void> {
    if (this.store instanceof RedisGovernanceStore && !(await this.store.ready(3_000))) {
      this.logger.warn(
        `Redis is not reachable yet; limits follow GOVERNANCE_ON_STORE_FAILURE=${this.config.governance.onStoreFailure} until it is`,
      );
    }
    await this.refreshKeys();
    if (this.store.shared) {
      this.refreshTimer = setInterval(() => void this.refreshKeys(), KEY_REFRESH_MS);
      this.refreshTimer.unref();
    }
    if (!this.enabled) {
      this.logger.warn(
        'Gateway is open: no virtual keys in GATEWAY_CONFIG and no GATEWAY_ADMIN_KEY, so every caller is admitted without a key',
      );
    } else {
      this.logger.log(
        `Virtual keys required: ${this.registry.size} known; state ${this.store.shared ? 'in Redis, shared by replicas' : 'in memory'}; admin API ${this.config.governance.adminKeySha256 ? 'on' : 'off'}`,
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.audit.flush();
    await this.store.close();
  }

  /**
   * Admits a model-route request or throws the refusal. `model` is undefined for calls that name
   * none (listing models): those need a valid key but count against no limit.
   */
  async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const model = typeof body.model === 'string' ? body.model : undefined;
    try {
      await this.admitOrThrow(request, reply, body, model);
    } catch (error) {
      const refusal = error as GatewayError;
      this.metrics.governanceDenied(refusal.code ?? String(refusal.status));
      this.audit.write({
        action: 'request',
        actor: request.gateway?.virtualKeyId ?? null,
        outcome: 'denied',
        status: refusal.status,
        code: refusal.code ?? undefined,
        method: request.method,
        path: pathOf(request.url),
        model,
        requestId: String(request.id),
        messages: promptOf(body),
      });
      throw error;
    }
  }

  /** Counts what a governed call used, once its response has ended. */
  async recordUsage(request: FastifyRequest, status: number): Promise<void> {
    const context = request.gateway;
    const call = context?.governed;
    if (!context || !call) return;
    // No usage reported: a stream the client left before Groq's last chunk is counted by its
    // prompt; a call that failed is not counted (Groq does not bill it either).
    const usage =
      context.usage ??
      (context.upstreamStartedAt !== undefined && status < 400
        ? promptOnlyUsage(estimateRequestTokens({ messages: call.prompt }))
        : undefined);
    if (!usage) return;
    const nowMs = Date.now();
    const window = call.key.budget ? budgetPeriod(call.key.budget.period, nowMs) : undefined;
    const price = this.priceOf(context.model) ??
      this.priceOf(call.requestedModel) ?? { input: 0, output: 0 };
    const cost = costNanoUsd(price, usage);
    this.metrics.virtualKeyUsage(
      call.key.id,
      usage.prompt_tokens,
      usage.completion_tokens,
      usdFromNano(cost),
    );
    try {
      await this.store.record({
        keyId: call.key.id,
        tokens: usage.total_tokens,
        costNanoUsd: cost,
        budgetPeriod: window ? { period: window.label, endsAtMs: window.endsAtMs } : undefined,
      });
      this.storeHealthy = true;
    } catch (error) {
      this.storeFailed(error as Error, 'usage not counted');
    }
  }

  priceOf(model: string | undefined): ModelPrice | undefined {
    if (!model) return undefined;
    const prices = this.config.governance.prices;
    const id = bareModelId(model);
    return Object.hasOwn(prices, id) ? prices[id] : undefined;
  }

  /** Makes sure admin-made keys are current; on failure keeps the keys it had. */
  async refreshKeys(force = false): Promise<boolean> {
    try {
      await this.registry.refresh(force);
      this.storeHealthy = true;
      return true;
    } catch (error) {
      this.storeFailed(error as Error);
      return false;
    }
  }

  private async admitOrThrow(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown>,
    model: string | undefined,
  ): Promise<void> {
    const presented = presentedKey(request.headers);
    if (!presented) throw missingKey();
    const key = this.registry.find(presented);
    if (!key) {
      // An admin-made key this replica has not seen yet: look once more before refusing (a
      // version check, one cheap read, so a spray of wrong keys cannot make Redis reload all
      // keys each time); while the store is away a key it holds cannot be told from a wrong one.
      if (this.store.shared && (await this.refreshKeys())) {
        const fresh = this.registry.find(presented);
        if (fresh) return this.admitKey(request, reply, body, model, fresh);
      }
      if (this.store.shared && !this.storeHealthy) throw governanceUnavailable();
      throw unknownKey();
    }
    return this.admitKey(request, reply, body, model, key);
  }

  private async admitKey(
    request: FastifyRequest,
    reply: FastifyReply,
    body: Record<string, unknown>,
    model: string | undefined,
    key: VirtualKeyRecord,
  ): Promise<void> {
    if (request.gateway) request.gateway.virtualKeyId = key.id;
    if (model === undefined) return;
    const upstreamModel = this.checkModels(key, body, model);
    const nowMs = Date.now();
    const window = key.budget ? budgetPeriod(key.budget.period, nowMs) : undefined;
    if (key.budget && upstreamModel && !this.priceOf(upstreamModel)) throw modelNotPriced(model);

    let admission: Admission | undefined;
    try {
      admission = await this.store.admit({
        keyId: key.id,
        requestsPerMinute: key.requestsPerMinute,
        tokensPerMinute: key.tokensPerMinute,
        budget:
          key.budget && window
            ? {
                limitNanoUsd: Math.round(key.budget.usd * NANO_USD_PER_USD),
                period: window.label,
                endsAtMs: window.endsAtMs,
              }
            : undefined,
      });
      this.storeHealthy = true;
    } catch (error) {
      this.storeFailed(error as Error);
      if (this.config.governance.onStoreFailure === 'closed') throw governanceUnavailable();
      // Open: admitted uncounted, and the response says so.
      reply.header('x-gateway-governance', 'store-unavailable');
    }
    if (admission) {
      const headers = admissionHeaders(key, admission, nowMs, window?.endsAtMs);
      if (request.url.startsWith('/anthropic/'))
        Object.assign(headers, anthropicAdmissionHeaders(key, admission));
      for (const [name, value] of Object.entries(headers)) reply.header(name, value);
      if (!admission.admitted) throw admissionRefused(admission, key.budget?.usd);
    }
    if (request.gateway) {
      request.gateway.governed = {
        key,
        requestedModel: upstreamModel,
        prompt: promptOf(body),
      };
    }
  }

  /** The upstream id of the requested model, after refusing any model the key may not call. */
  private checkModels(
    key: VirtualKeyRecord,
    body: Record<string, unknown>,
    model: string,
  ): string | undefined {
    const upstream = this.upstreamIdOf(model);
    if (key.models.length === 0) return upstream;
    if (upstream !== undefined && !key.models.includes(upstream)) {
      throw modelNotAllowed(model, 'model', key.models);
    }
    const fallbacks = Array.isArray(body.fallbacks) ? body.fallbacks : [];
    fallbacks.forEach((fallback, index) => {
      const id = typeof fallback === 'string' ? this.upstreamIdOf(fallback) : undefined;
      if (id !== undefined && !key.models.includes(id)) {
        throw modelNotAllowed(String(fallback), `fallbacks[${index}]`, key.models);
      }
    });
    return upstream;
  }

  /** Undefined for a model string the router refuses: the handler answers that 400 itself. */
  private upstreamIdOf(model: string): string | undefined {
    try {
      return routeModel(model, this.config.modelAliases).upstreamModel;
    } catch {
      return undefined;
    }
  }

  private storeFailed(error: Error, consequence = ''): void {
    this.storeHealthy = false;
    this.metrics.governanceStoreError();
    const now = Date.now();
    // One line every 10 s at most: a Redis outage must not flood the logs.
    if (now - this.lastStoreWarning > 10_000) {
      this.lastStoreWarning = now;
      this.logger.warn(
        `Governance store unavailable (${error.message})${consequence ? `: ${consequence}` : ''}; limits follow onStoreFailure=${this.config.governance.onStoreFailure}`,
      );
    }
  }
}

function promptOnlyUsage(promptTokens: number) {
  return { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens };
}

/** The prompt of a chat, Responses or text-completion body, whichever it is. */
function promptOf(body: Record<string, unknown>): unknown {
  return body.messages ?? body.input ?? body.prompt;
}
