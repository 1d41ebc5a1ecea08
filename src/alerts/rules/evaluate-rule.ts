import type { RuleConfig, RuleKind } from '../../config/alerts-config';
import { formatFigure } from '../alert-message';
import type { EvaluationInputs, Observation, RuleEvaluator } from './observation';
import { FIELD, latencyCount, p95Ms } from './window-counts';

const minutes = (seconds: number) => (seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`);

/**
 * A budget's figure is the settled spend of its period over the budget: it only rises within a
 * period, so each level fires once and resolves when the period rolls over. What calls in flight
 * hold is shown, not counted: admission reserves each call's worst case (with clampToRemaining,
 * everything left), so a figure counting holds would rise and fall with every call. Admission
 * never lets spend pass the budget, so the whole budget also counts as reached when calls are
 * refused with 402 `budget_exceeded` for this budget (and none admitted since). Virtual keys'
 * budgets and teams' budgets (issue 20) are separate alerts, each naming whose budget it is.
 */
const budgetUsage: RuleEvaluator = (rule, inputs) => {
  const levels = rule.threshold < 1 ? [rule.threshold, 1] : [1];
  return inputs.budgets.flatMap((budget) => {
    const used = budget.limitUsd > 0 ? budget.spentUsd / budget.limitUsd : 1;
    const refused = budget.refusedSinceMs !== undefined;
    const team = budget.owner === 'team';
    const whose = team ? `team ${budget.id}` : `virtual key ${budget.id}`;
    const refusal = team
      ? "calls on the team's keys are refused with 402 budget_exceeded"
      : 'calls are refused with 402 budget_exceeded';
    const money = `${formatFigure(budget.spentUsd, 'usd')} spent and ${formatFigure(budget.reservedUsd, 'usd')} held by calls in flight, of ${formatFigure(budget.limitUsd, 'usd')}`;
    return levels.map((level) => ({
      alertKey: `${rule.id}:${team ? 'team' : 'vk'}:${budget.id}:${level}`,
      scope: team ? { team: budget.id } : { virtualKey: budget.id },
      firing: used >= level || refused,
      figure: round(used, 6),
      threshold: level,
      unit: 'fraction' as const,
      summary:
        level >= 1
          ? `${whose} has reached its whole ${budget.period} budget${refused ? `: ${refusal}` : ''} (${money})`
          : `${whose} has used ${formatFigure(used, 'fraction')} of its ${budget.period} budget (${money}; threshold ${formatFigure(level, 'fraction')})`,
      details: {
        budget: budget.owner,
        [team ? 'team' : 'virtualKey']: budget.id,
        spentUsd: round(budget.spentUsd, 6),
        reservedUsd: round(budget.reservedUsd, 6),
        budgetUsd: budget.limitUsd,
        period: budget.period,
        resetsAt: new Date(budget.resetsAtMs).toISOString(),
        ...(refused ? { refusedSince: new Date(budget.refusedSinceMs ?? 0).toISOString() } : {}),
      },
      sinceMs: used < level ? budget.refusedSinceMs : undefined,
    }));
  });
};

const errorRate: RuleEvaluator = (rule, inputs) => {
  const counts = inputs.window(rule.windowSeconds);
  const requests = counts[FIELD.requests] ?? 0;
  const errors = counts[FIELD.errors] ?? 0;
  const rate = requests > 0 ? errors / requests : 0;
  return [
    {
      alertKey: rule.id,
      scope: {},
      firing: requests >= rule.minRequests && rate >= rule.threshold,
      figure: rate,
      threshold: rule.threshold,
      unit: 'fraction',
      summary: `error rate ${formatFigure(rate, 'fraction')} over ${minutes(rule.windowSeconds)} (${errors} of ${requests} calls answered 5xx; threshold ${formatFigure(rule.threshold, 'fraction')})`,
      details: {
        requests,
        errors,
        windowSeconds: rule.windowSeconds,
        minRequests: rule.minRequests,
      },
    },
  ];
};

const latencyP95: RuleEvaluator = (rule, inputs) => {
  const counts = inputs.window(rule.windowSeconds);
  const calls = latencyCount(counts);
  const slower = counts[FIELD.slowerThan(rule.thresholdMs)] ?? 0;
  const p95 = p95Ms(counts);
  // The p95 is above the threshold exactly when more than 5% of calls were slower than it.
  const firing = calls >= rule.minRequests && slower / calls > 0.05;
  return [
    {
      alertKey: rule.id,
      scope: {},
      firing,
      figure: p95 === undefined ? undefined : Math.round(p95),
      threshold: rule.thresholdMs,
      unit: 'ms',
      summary: `p95 latency ${formatFigure(p95, 'ms')} over ${minutes(rule.windowSeconds)} (${slower} of ${calls} calls slower than ${formatFigure(rule.thresholdMs, 'ms')})`,
      details: { calls, slowerThanThreshold: slower, windowSeconds: rule.windowSeconds },
    },
  ];
};

const upstreamUnavailable: RuleEvaluator = (rule, inputs) => {
  const counts = inputs.window(rule.windowSeconds);
  const attempts = counts[FIELD.upstreamAttempts] ?? 0;
  const failures = counts[FIELD.upstreamFailures] ?? 0;
  const rate = attempts > 0 ? failures / attempts : 0;
  const failing = attempts >= rule.minRequests && rate >= rule.threshold;
  const down = inputs.allKeysDown;
  return [
    {
      alertKey: rule.id,
      scope: {},
      firing: down !== undefined || failing,
      figure: rate,
      threshold: rule.threshold,
      unit: 'fraction',
      summary: down
        ? `every Groq key (${down.keys}) is resting after 429s or has its breaker open`
        : `Groq failed ${failures} of ${attempts} attempts over ${minutes(rule.windowSeconds)} with 5xx or connection errors (${formatFigure(rate, 'fraction')}; threshold ${formatFigure(rule.threshold, 'fraction')})`,
      details: { attempts, failures, windowSeconds: rule.windowSeconds },
      sinceMs: down?.sinceMs,
    },
  ];
};

const keyInvalid: RuleEvaluator = (rule, inputs) =>
  inputs.invalidKeys.map((key) => ({
    alertKey: `${rule.id}:key:${key.keyId}`,
    scope: { keyId: key.keyId },
    firing: true,
    figure: key.status,
    unit: 'none' as const,
    summary: `Groq refused key ${key.keyId} with ${key.status}: revoked, expired or mistyped`,
    details: { status: key.status },
    sinceMs: key.sinceMs,
  }));

const storeUnavailable: RuleEvaluator = (rule, inputs) =>
  inputs.storesDown.map((down) => ({
    alertKey: `${rule.id}:store:${down.store}`,
    scope: { store: down.store },
    firing: true,
    unit: 'none' as const,
    summary: down.reason
      ? `the ${down.store} store is unavailable: ${down.reason}`
      : `the ${down.store} store is unreachable`,
    details: down.reason ? { reason: down.reason } : ({} as Record<string, string>),
    sinceMs: down.sinceMs,
  }));

const guardrailBlocks: RuleEvaluator = (rule, inputs) => {
  const blocks = inputs.window(rule.windowSeconds)[FIELD.guardrailBlocks] ?? 0;
  return [
    {
      alertKey: rule.id,
      scope: {},
      firing: blocks >= rule.threshold,
      figure: blocks,
      threshold: rule.threshold,
      unit: 'count',
      summary: `${blocks} calls blocked by guardrails over ${minutes(rule.windowSeconds)} (threshold ${rule.threshold})`,
      details: { blocks, windowSeconds: rule.windowSeconds },
    },
  ];
};

const EVALUATORS: Record<RuleKind, RuleEvaluator> = {
  budget_usage: budgetUsage,
  error_rate: errorRate,
  latency_p95: latencyP95,
  upstream_unavailable: upstreamUnavailable,
  key_invalid: keyInvalid,
  store_unavailable: storeUnavailable,
  guardrail_blocks: guardrailBlocks,
};

/**
 * What a rule sees now, one observation per scope. Scopes that had an alert and are not observed
 * any more (a key answered again, a store came back) are resolved by the caller.
 */
export function evaluateRule(rule: RuleConfig, inputs: EvaluationInputs): Observation[] {
  return EVALUATORS[rule.kind](rule, inputs);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
