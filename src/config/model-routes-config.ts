/** How a model route spreads calls over its targets (issue 23). */
export const ROUTE_STRATEGIES = ['weighted', 'adaptive', 'ordered'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

export interface RouteTargetConfig {
  /** The target's public id, `groq/<id>`. */
  model: string;
  /** The bare Groq id sent upstream. */
  upstreamModel: string;
  /** Share of calls when healthy; for `ordered`, unused. */
  weight: number;
}

/** A model callers name (`groq/<id>`, or `<id>` on /groq) that the gateway serves from targets. */
export interface ModelRouteConfig {
  id: string;
  strategy: RouteStrategy;
  targets: RouteTargetConfig[];
  /** Tried after every target of the route failed, as a model's fallbacks are. */
  fallbacks: string[];
}
