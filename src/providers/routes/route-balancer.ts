import type { ModelRouteConfig, RouteTargetConfig } from '../../config/model-routes-config';
import { SmoothWeighted } from '../balancing/smooth-weighted';
import { CircuitBreakerPolicy, KeyHealth, KeyOutcome } from '../keys/key-health';

/**
 * The least share of its configured weight an adaptive target keeps however badly it does, so
 * the gateway keeps probing it and notices when it recovers. A target resting after Groq's 429
 * gets nothing until the rest ends (Groq said when).
 */
export const PROBE_SHARE = 0.05;

/** How fast a target's remembered errors fade when no new ones come: halved every 5 s. */
export const ERROR_HALF_LIFE_MS = 5_000;

export interface RouteTargetStatus {
  model: string;
  weight: number;
  /** The weight the next pick uses: configured weight scaled by live health (adaptive). */
  effectiveWeight: number;
  available: boolean;
  breaker: 'closed' | 'open' | 'half-open';
  errorRate: number;
  latencyMs: number;
  restingUntil?: number;
}

/**
 * Chooses the target of a model route for each call (issue 23) and learns each target's health
 * from the outcomes of the calls it served. Health is per upstream model and shared by every route
 * naming it: error rate (faded over time, so a recovered target gets its share back within
 * seconds), latency against the fastest target, Groq's remaining budget from its headers, a
 * breaker, and 429 rests. Pure state: time is passed in, nothing here does I/O.
 */
export class RouteBalancer {
  private readonly byId = new Map<string, ModelRouteConfig>();
  private readonly rotations = new Map<string, SmoothWeighted<string>>();
  private readonly health = new Map<string, KeyHealth>();
  private readonly lastOutcomeAt = new Map<string, number>();

  constructor(
    readonly routes: readonly ModelRouteConfig[],
    private readonly breaker: CircuitBreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {
    for (const route of routes) {
      this.byId.set(route.id, route);
      this.rotations.set(route.id, new SmoothWeighted<string>());
      for (const target of route.targets) this.healthOf(target.upstreamModel);
    }
  }

  /** The route a caller's model names: `groq/<id>` or `<id>`; undefined for a plain model. */
  find(model: string): ModelRouteConfig | undefined {
    if (this.byId.size === 0) return undefined;
    return this.byId.get(model.startsWith('groq/') ? model.slice(5) : model);
  }

  /**
   * The targets of `route` in the order one call should try them: the chosen one first, then the
   * others healthiest first (the failover order). Targets that cannot take a call now (resting,
   * breaker open, out of Groq budget) come last; if none can, all are tried anyway rather than
   * refusing the call (Envoy's panic routing).
   */
  plan(route: ModelRouteConfig): RouteTargetConfig[] {
    const now = this.now();
    if (route.strategy === 'ordered') {
      const ready = route.targets.filter((t) => this.isAvailable(t, now));
      return ready.length > 0
        ? [...ready, ...route.targets.filter((t) => !ready.includes(t))]
        : [...route.targets];
    }
    const weights = new Map(route.targets.map((t) => [t, this.weightOf(route, t, now)]));
    const eligible = route.targets.filter((t) => (weights.get(t) ?? 0) > 0);
    const pool = eligible.length > 0 ? eligible : route.targets;
    const first = (this.rotations.get(route.id) as SmoothWeighted<string>).pick(
      pool,
      (t) => t.upstreamModel,
      (t) => (eligible.length > 0 ? (weights.get(t) ?? 0) : t.weight),
    );
    this.healthOf(first.upstreamModel).onSend(now, first.upstreamModel);
    const rest = route.targets
      .filter((t) => t !== first)
      .sort(
        (a, b) =>
          Number(this.isAvailable(b, now)) - Number(this.isAvailable(a, now)) ||
          (weights.get(b) ?? 0) - (weights.get(a) ?? 0),
      );
    return [first, ...rest];
  }

  /** Told when Groq's 429 rests a target, with how long: other replicas can rest it too. */
  onRest?: (upstreamModel: string, restMs: number) => void;

  /** What one attempt on a target model told us. */
  report(upstreamModel: string, outcome: KeyOutcome): void {
    const health = this.health.get(upstreamModel);
    if (!health) return;
    const now = this.now();
    this.fade(upstreamModel, health, now);
    const restedUntil = health.restingUntil(upstreamModel);
    // The target's own health: its limits are read under its model, whatever the outcome says.
    health.record(
      outcome.model === upstreamModel ? outcome : { ...outcome, model: upstreamModel },
      now,
    );
    this.lastOutcomeAt.set(upstreamModel, now);
    const restingUntil = health.restingUntil(upstreamModel);
    if (outcome.status === 429 && restingUntil > restedUntil)
      this.onRest?.(upstreamModel, restingUntil - now);
  }

  /** When Groq rests a target (429), until when; other replicas can rest it too. */
  restingUntil(upstreamModel: string): number {
    return this.health.get(upstreamModel)?.restingUntil(upstreamModel) ?? 0;
  }

  /** Rests a target for `restMs` because another replica saw Groq's 429 for it. */
  rest(upstreamModel: string, restMs: number): void {
    this.health.get(upstreamModel)?.rest(upstreamModel, this.now() + restMs);
  }

  /** Whether `upstreamModel` is a target of some route (only those are tracked). */
  tracks(upstreamModel: string): boolean {
    return this.health.has(upstreamModel);
  }

  status(route: ModelRouteConfig): RouteTargetStatus[] {
    const now = this.now();
    return route.targets.map((target) => {
      const health = this.healthOf(target.upstreamModel);
      this.fade(target.upstreamModel, health, now);
      const restingUntil = health.restingUntil(target.upstreamModel);
      return {
        model: target.model,
        weight: target.weight,
        effectiveWeight: Number(this.weightOf(route, target, now).toFixed(3)),
        available: this.isAvailable(target, now),
        breaker: health.breakerState(now),
        errorRate: Number(health.errorRate.toFixed(3)),
        latencyMs: Math.round(health.latencyMs),
        ...(restingUntil > now ? { restingUntil } : {}),
      };
    });
  }

  /** A target's weight for the next pick: 0 while resting or out of budget. */
  private weightOf(route: ModelRouteConfig, target: RouteTargetConfig, now: number): number {
    const health = this.healthOf(target.upstreamModel);
    if (now < health.restingUntil(target.upstreamModel)) return 0;
    if (route.strategy === 'weighted') return this.isAvailable(target, now) ? target.weight : 0;
    // adaptive: an open breaker or a bad record shrinks the share, never below the probe share.
    if (health.breakerState(now) === 'open') return target.weight * PROBE_SHARE;
    if (!this.isAvailable(target, now)) return 0;
    this.fade(target.upstreamModel, health, now);
    const fastest = Math.min(
      ...route.targets.map((t) => this.healthOf(t.upstreamModel).latencyMs || Infinity),
    );
    const factor = health.healthFactor(
      Number.isFinite(fastest) ? fastest : 0,
      target.upstreamModel,
    );
    return target.weight * Math.max(PROBE_SHARE, factor);
  }

  private isAvailable(target: RouteTargetConfig, now: number): boolean {
    return this.healthOf(target.upstreamModel).isAvailable(now, 0, target.upstreamModel);
  }

  /** Fades the remembered error rate by the time since the last outcome (half-life above). */
  private fade(upstreamModel: string, health: KeyHealth, now: number): void {
    const last = this.lastOutcomeAt.get(upstreamModel);
    if (last === undefined || now <= last || health.errorRate === 0) return;
    health.errorRate *= 0.5 ** ((now - last) / ERROR_HALF_LIFE_MS);
    this.lastOutcomeAt.set(upstreamModel, now);
  }

  private healthOf(upstreamModel: string): KeyHealth {
    let health = this.health.get(upstreamModel);
    if (!health) {
      health = new KeyHealth(this.breaker);
      this.health.set(upstreamModel, health);
    }
    return health;
  }
}
