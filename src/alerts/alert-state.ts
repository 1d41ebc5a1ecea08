import type { RuleConfig, RuleKind } from '../config/alerts-config';
import type { AlertMessage, AlertScope } from './alert-message';
import type { Observation } from './rules/observation';

/** One alert (a rule for one scope) as the admin API shows it and Redis keeps it. */
export interface AlertState {
  alertKey: string;
  ruleId: string;
  kind: RuleKind;
  scope: AlertScope;
  state: 'ok' | 'firing';
  /** While firing: when the condition started. */
  sinceMs?: number;
  /** The last resolve, for the cooldown. */
  resolvedAtMs?: number;
  lastSentAtMs?: number;
  lastError?: string;
  figure?: number;
  threshold?: number;
  unit: AlertMessage['unit'];
  summary: string;
  details: Record<string, string | number>;
}

export interface Step {
  next: AlertState;
  /** A message to send: the alert started or ended. */
  send?: 'firing' | 'resolved';
}

/**
 * One alert's next state from what its rule observes now. It fires once when its condition
 * starts and resolves once when it ends; after a resolve it cannot fire again for the rule's
 * cooldown (a flapping condition then gives one message per cooldown, not one per evaluation).
 */
export function stepAlert(
  rule: RuleConfig,
  previous: AlertState | undefined,
  observation: Observation,
  nowMs: number,
): Step {
  const base: AlertState = {
    ...(previous ?? { state: 'ok' as const }),
    alertKey: observation.alertKey,
    ruleId: rule.id,
    kind: rule.kind,
    scope: observation.scope,
    figure: observation.figure,
    threshold: observation.threshold,
    unit: observation.unit,
    summary: observation.summary,
    details: observation.details,
  };
  const firing = previous?.state === 'firing';
  if (observation.firing && !firing) {
    const cooling =
      previous?.resolvedAtMs !== undefined && nowMs - previous.resolvedAtMs < rule.cooldownMs;
    if (cooling) return { next: { ...base, state: 'ok' } };
    return {
      next: { ...base, state: 'firing', sinceMs: Math.min(observation.sinceMs ?? nowMs, nowMs) },
      send: 'firing',
    };
  }
  if (!observation.firing && firing) {
    return { next: { ...base, state: 'ok', resolvedAtMs: nowMs }, send: 'resolved' };
  }
  return { next: base };
}

/** The observation of an alert whose scope is no longer seen: its condition has ended. */
export function endedObservation(state: AlertState): Observation {
  return {
    alertKey: state.alertKey,
    scope: state.scope,
    firing: false,
    figure: state.figure,
    threshold: state.threshold,
    unit: state.unit,
    summary: state.summary,
    details: state.details,
  };
}
