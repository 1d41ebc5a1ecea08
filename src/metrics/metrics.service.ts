import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CallEvents } from '../call/call-events';
import type { ErrorCode } from '../common/errors/error-codes';
import type { EndedCall } from '../call/ended-call';
import { GroqService } from '../providers/groq/groq.service';
import { ModelLifecycleService } from '../providers/lifecycle/model-lifecycle.service';
import { counterSeries, histogramSeries, type CounterSeries, type HistogramSeries } from './series';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];

interface RouteChildren {
  requests(status: number): CounterSeries;
  jsonDuration: HistogramSeries;
  streamedDuration: HistogramSeries;
  firstToken: HistogramSeries;
  overhead: HistogramSeries;
  attempts: CounterSeries;
  retries: CounterSeries;
  fallbacks: CounterSeries;
  tokensIn: CounterSeries;
  tokensOut: CounterSeries;
  /** The model's cost by virtual key ('none' without one). */
  cost(virtualKey: string): CounterSeries;
}

/** A model route target's calls, by outcome. */
interface RouteOutcomes {
  success: CounterSeries;
  clientClosed: CounterSeries;
  error: CounterSeries;
}

/** What governance counted against one virtual key. */
interface VirtualKeySeries {
  tokensIn: CounterSeries;
  tokensOut: CounterSeries;
  spend: CounterSeries;
}

/**
 * The gateway's Prometheus metrics. Recorded once per request, from the call's `ended` event
 * (streams included, after their last byte), so the hot path only fills in a few fields.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'groq_gateway_requests_total',
    help: 'Requests by route, model and status',
    labelNames: ['route', 'model', 'status'],
    registers: [this.registry],
  });
  private readonly governanceDenials = new Counter({
    name: 'groq_gateway_governance_denied_total',
    help: 'Requests refused by governance, by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly virtualKeyTokens = new Counter({
    name: 'groq_gateway_virtual_key_tokens_total',
    help: 'Tokens counted against each virtual key: upstream usage, or the estimate for a call Groq never reported',
    labelNames: ['virtual_key', 'direction'],
    registers: [this.registry],
  });
  private readonly virtualKeySpend = new Counter({
    name: 'groq_gateway_virtual_key_spend_usd_total',
    help: 'Spend counted against each virtual key, in US dollars (governance.prices)',
    labelNames: ['virtual_key'],
    registers: [this.registry],
  });
  private readonly governanceStoreErrors = new Counter({
    name: 'groq_gateway_governance_store_errors_total',
    help: 'Failed calls to the governance store (Redis)',
    registers: [this.registry],
  });
  private readonly secretRefreshFailures = new Counter({
    name: 'groq_gateway_secret_refresh_failures_total',
    help: 'Secret references that could not be read again (the last good value is kept), by provider',
    labelNames: ['provider'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'groq_gateway_request_duration_seconds',
    help: 'Time from request to the end of the response (streams: the last byte)',
    labelNames: ['route', 'model', 'stream'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly firstToken = new Histogram({
    name: 'groq_gateway_time_to_first_token_seconds',
    help: 'Streams: time from request to the first byte sent to the client',
    labelNames: ['route', 'model'],
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'groq_gateway_overhead_seconds',
    help: 'Time spent in the gateway itself, upstream time excluded',
    labelNames: ['route'],
    buckets: OVERHEAD_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'groq_gateway_tokens_total',
    help: 'Tokens reported by the upstream',
    labelNames: ['model', 'direction'],
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'groq_gateway_upstream_attempts_total',
    help: 'Upstream attempts, retries included',
    labelNames: ['model'],
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'groq_gateway_retries_total',
    help: 'Upstream attempts that were retries',
    labelNames: ['route'],
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: 'groq_gateway_fallbacks_total',
    help: 'Times a fallback model was tried',
    labelNames: ['route'],
    registers: [this.registry],
  });
  private readonly routeRequests = new Counter({
    name: 'groq_gateway_route_requests_total',
    help: 'Calls through a model route, by the target that served them and the outcome',
    labelNames: ['route', 'target', 'outcome'],
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'groq_gateway_cost_usd_total',
    help: 'What calls cost in US dollars (price table and governance.prices), by served model and virtual key',
    labelNames: ['model', 'virtual_key'],
    registers: [this.registry],
  });
  private readonly retiredCalls = new Counter({
    name: 'groq_gateway_retired_model_requests_total',
    help: 'Calls that named a retired model, by the retired id and what the gateway did (forward, substitute, refuse)',
    labelNames: ['model', 'action'],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({
    name: 'groq_gateway_in_flight_requests',
    help: 'Requests being handled now',
    registers: [this.registry],
  });
  readonly openStreams = new Gauge({
    name: 'groq_gateway_open_streams',
    help: 'SSE streams open now',
    registers: [this.registry],
  });

  /** Children per route and model (both few: routes are fixed, models are Groq's list). */
  private readonly children = new Map<string, RouteChildren>();
  /** Model route id, then target (both from the configured routes). */
  private readonly routeOutcomes = new Map<string, Map<string, RouteOutcomes>>();
  /** Per virtual key id (keys are few). */
  private readonly virtualKeys = new Map<string, VirtualKeySeries>();

  constructor(groq: GroqService, events: CallEvents, lifecycle: ModelLifecycleService) {
    events.onEnded((call) => this.record(call));
    lifecycle.onRetiredCall((model, action) => this.retiredCalls.inc({ model, action }));
    collectDefaultMetrics({ register: this.registry, prefix: 'groq_gateway_' });
    const keys = groq.keys;
    const routes = groq.routes;
    new Gauge({
      name: 'groq_gateway_route_target_weight',
      help: "A model route target's effective weight now: its configured weight scaled by live health",
      labelNames: ['route', 'target'],
      registers: [this.registry],
      collect() {
        for (const route of routes.routes)
          for (const target of routes.status(route))
            this.set({ route: route.id, target: target.model }, target.effectiveWeight);
      },
    });
    new Gauge({
      name: 'groq_gateway_key_available',
      help: 'Whether a Groq key can take requests now for some model (1), or Groq refuses it or every model it served rests or has an open breaker (0)',
      labelNames: ['key_id', 'breaker'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const key of keys.status())
          this.set({ key_id: key.id, breaker: key.breaker }, key.available ? 1 : 0);
      },
    });
    new Gauge({
      name: 'groq_gateway_key_rejected',
      help: 'Whether Groq refuses a key (401/403): 1 while it is out of rotation, probed back rarely',
      labelNames: ['key_id'],
      registers: [this.registry],
      collect() {
        for (const key of keys.status()) this.set({ key_id: key.id }, key.rejected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'groq_gateway_key_error_rate',
      help: 'Recent upstream error rate per key (moving average)',
      labelNames: ['key_id'],
      registers: [this.registry],
      collect() {
        for (const key of keys.status()) this.set({ key_id: key.id }, key.errorRate);
      },
    });
    new Gauge({
      name: 'groq_gateway_key_remaining_tokens',
      help: "Groq's x-ratelimit-remaining-tokens, last seen per key and model (Groq limits each model on its own)",
      labelNames: ['key_id', 'model'],
      registers: [this.registry],
      collect() {
        for (const key of keys.status())
          for (const limits of key.models)
            if (limits.remainingTokens !== undefined)
              this.set({ key_id: key.id, model: limits.model }, limits.remainingTokens);
      },
    });
  }

  /** One ended call, through series found once per label set (series.ts: no label hashing per call). */
  record(call: EndedCall): void {
    // Every counted request ends here once (request-hooks.ts incremented it when it came in).
    this.inFlight.dec();
    if (call.stream && call.firstByteMs !== undefined) this.openStreams.dec();
    const route = call.httpRoute;
    const model = call.model ?? 'none';
    const byRoute = this.childrenOf(route, model);
    byRoute.requests(call.status).inc();
    (call.stream ? byRoute.streamedDuration : byRoute.jsonDuration).observe(call.durationMs / 1000);
    if (call.firstByteMs !== undefined) byRoute.firstToken.observe(call.firstByteMs / 1000);
    byRoute.overhead.observe(call.overheadMs / 1000);
    if (call.attempts > 0) byRoute.attempts.inc(call.attempts);
    if (call.retries > 0) byRoute.retries.inc(call.retries);
    if (call.fallbacks > 0) byRoute.fallbacks.inc(call.fallbacks);
    if (call.modelRoute) {
      const outcomes = this.outcomesOf(call.modelRoute.id, call.modelRoute.target);
      (call.status < 400
        ? outcomes.success
        : call.status === 499
          ? outcomes.clientClosed
          : outcomes.error
      ).inc();
    }
    if (call.usage) {
      byRoute.tokensIn.inc(call.usage.prompt_tokens ?? 0);
      byRoute.tokensOut.inc(call.usage.completion_tokens ?? 0);
    }
    if (call.costUsd !== undefined && call.costUsd > 0)
      byRoute.cost(call.virtualKeyId ?? 'none').inc(call.costUsd);
  }

  private childrenOf(route: string, model: string): RouteChildren {
    const key = `${route}\u0000${model}`;
    let children = this.children.get(key);
    if (!children) {
      const byStatus = new Map<number, CounterSeries>();
      // As many as prom-client keeps series for (one per model and virtual key seen).
      const byKey = new Map<string, CounterSeries>();
      children = {
        requests: (status) => {
          let counter = byStatus.get(status);
          if (!counter) {
            counter = counterSeries(this.requests, { route, model, status: String(status) });
            byStatus.set(status, counter);
          }
          return counter;
        },
        jsonDuration: histogramSeries(this.duration, { route, model, stream: 'false' }),
        streamedDuration: histogramSeries(this.duration, { route, model, stream: 'true' }),
        firstToken: histogramSeries(this.firstToken, { route, model }),
        overhead: histogramSeries(this.overhead, { route }),
        attempts: counterSeries(this.attempts, { model }),
        retries: counterSeries(this.retries, { route }),
        fallbacks: counterSeries(this.fallbacks, { route }),
        tokensIn: counterSeries(this.tokens, { model, direction: 'in' }),
        tokensOut: counterSeries(this.tokens, { model, direction: 'out' }),
        cost: (virtualKey) => {
          let counter = byKey.get(virtualKey);
          if (!counter) {
            counter = counterSeries(this.cost, { model, virtual_key: virtualKey });
            byKey.set(virtualKey, counter);
          }
          return counter;
        },
      };
      this.children.set(key, children);
    }
    return children;
  }

  private outcomesOf(route: string, target: string): RouteOutcomes {
    let byTarget = this.routeOutcomes.get(route);
    if (!byTarget) {
      byTarget = new Map();
      this.routeOutcomes.set(route, byTarget);
    }
    let outcomes = byTarget.get(target);
    if (!outcomes) {
      outcomes = {
        success: counterSeries(this.routeRequests, { route, target, outcome: 'success' }),
        clientClosed: counterSeries(this.routeRequests, {
          route,
          target,
          outcome: 'client_closed',
        }),
        error: counterSeries(this.routeRequests, { route, target, outcome: 'error' }),
      };
      byTarget.set(target, outcomes);
    }
    return outcomes;
  }

  /**
   * A governance refusal, labelled by its error code; one without a code (none of governance's
   * own refusals) by its status, as it always was.
   */
  governanceDenied(code: ErrorCode | null, status: number): void {
    this.governanceDenials.inc({ code: code ?? String(status) });
  }

  /** What governance counted against a virtual key (labelled by key id; keys are few). */
  virtualKeyUsage(
    keyId: string,
    promptTokens: number,
    completionTokens: number,
    usd: number,
  ): void {
    let series = this.virtualKeys.get(keyId);
    if (!series) {
      series = {
        tokensIn: counterSeries(this.virtualKeyTokens, { virtual_key: keyId, direction: 'in' }),
        tokensOut: counterSeries(this.virtualKeyTokens, { virtual_key: keyId, direction: 'out' }),
        spend: counterSeries(this.virtualKeySpend, { virtual_key: keyId }),
      };
      this.virtualKeys.set(keyId, series);
    }
    series.tokensIn.inc(promptTokens);
    series.tokensOut.inc(completionTokens);
    if (usd > 0) series.spend.inc(usd);
  }

  governanceStoreError(): void {
    this.governanceStoreErrors.inc();
  }

  /** A secret reference could not be read again; `count` 0 makes the series exist. */
  secretRefreshFailed(provider: string, count = 1): void {
    this.secretRefreshFailures.inc({ provider }, count);
  }
}
