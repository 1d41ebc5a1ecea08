import type { GuardrailOutcome } from '../call/ended-call';
import type { ChatUsage } from '../providers/chat-types';
import type { GuardrailPolicy } from './guardrails-config';
import { redact, type Finding } from './detectors/finding';
import type { TextPart } from './text-parts';

export type Stage = 'input' | 'output';

/** What a judge (a model, a webhook, a schema) is given: the texts of one stage and the call. */
export interface JudgeInput {
  stage: Stage;
  parts: readonly TextPart[];
  call: CheckedCall;
}

/** A judge's answer. `spans` (by part index) lets a webhook say what to redact. */
export interface Judgement {
  violated: boolean;
  category?: string;
  /** The part it objects to, when it can say. */
  param?: string;
  spans?: ReadonlyMap<number, Finding[]>;
}

/** One configured policy, ready to run: a span detector (sync) or a judge (async). */
export interface PolicyRunner {
  readonly policy: GuardrailPolicy;
  find?(text: string): Finding[];
  /**
   * For span detectors: how much of a stream's tail must stay held so no match is let go in part
   * (0: its matches hold no whitespace, so a cut at a space never splits them; Infinity: hold all).
   */
  holdChars?: number;
  judge?(input: JudgeInput): Promise<Judgement>;
}

/** What a check needs to know about its call; filled by the service. */
export interface CheckedCall {
  requestId: string;
  virtualKeyId?: string;
  /** The JSON schema the request asked the answer to follow (response_format / text.format). */
  schema?: Record<string, unknown>;
  /** The caller's last words, for judging an answer in context (moderation). */
  prompt?: string;
  /** The trace context the client's call goes upstream with (a judge's call joins it). */
  upstreamHeaders?: Record<string, string>;
  /** Tokens a judge spent on the call's behalf (moderation), charged to its virtual key. */
  charge?(model: string, usage: ChatUsage): void;
  /** Told once per policy run, for metrics and audit. */
  observe(result: PolicyResult): void;
}

export interface PolicyResult {
  policy: GuardrailPolicy;
  stage: Stage;
  outcome: GuardrailOutcome['outcome'];
  category?: string;
  param?: string;
  seconds: number;
  /** The matched texts, for an audit line that asks for them (AUDIT_INCLUDE_PROMPTS). */
  matched?: string[];
}

/** Why a call stops: a policy blocked it, or a closed policy could not run. */
export interface GuardrailStop {
  policy: string;
  category: string;
  param: string;
  stage: Stage;
  unavailable: boolean;
}

export interface StageResult {
  outcomes: GuardrailOutcome[];
  stop?: GuardrailStop;
  /** True when a redaction changed a part. */
  changed: boolean;
}

/**
 * Runs one stage's policies over its texts: span detectors first, in order (each redaction is
 * what the next one reads), then the judges in parallel on the result. The first block stops it;
 * policies after it did not run and get no outcome (the gateway never claims a check it skipped).
 * `flagOnly` (streams in `none` mode, checked after the text has left) turns block and redact
 * into flagged.
 */
export async function runStage(
  runners: readonly PolicyRunner[],
  stage: Stage,
  parts: readonly TextPart[],
  call: CheckedCall,
  flagOnly = false,
): Promise<StageResult> {
  const result: StageResult = { outcomes: [], changed: false };
  for (const runner of runners) {
    if (!runner.find) continue;
    const started = performance.now();
    const hits: Array<{ part: TextPart; findings: Finding[] }> = [];
    for (const part of parts) {
      const findings = runner.find(part.text);
      if (findings.length > 0) hits.push({ part, findings });
    }
    const stop = settle(runner.policy, stage, hits, started, call, result, flagOnly);
    if (stop) return { ...result, stop };
  }
  const judges = runners.filter((r) => r.judge);
  if (judges.length === 0) return result;
  const judged = await Promise.all(
    judges.map(async (runner) => {
      const started = performance.now();
      try {
        return {
          runner,
          started,
          judgement: await (runner.judge as NonNullable<PolicyRunner['judge']>)({
            stage,
            parts,
            call,
          }),
        };
      } catch {
        return { runner, started, judgement: undefined };
      }
    }),
  );
  for (const { runner, started, judgement } of judged) {
    const policy = runner.policy;
    if (!judgement) {
      const closed = 'onError' in policy && policy.onError === 'closed' && !flagOnly;
      record(result, call, { policy, stage, outcome: 'error', seconds: since(started) });
      if (closed)
        return {
          ...result,
          stop: {
            policy: policy.id,
            category: 'unavailable',
            param: parts[0]?.param ?? '',
            stage,
            unavailable: true,
          },
        };
      continue;
    }
    if (!judgement.violated) {
      record(result, call, { policy, stage, outcome: 'pass', seconds: since(started) });
      continue;
    }
    if (judgement.spans && policy.action === 'redact') {
      const hits = [...judgement.spans].map(([index, findings]) => ({
        part: parts[index],
        findings,
      }));
      const stop = settle(policy, stage, hits, started, call, result, flagOnly, judgement.category);
      if (stop) return { ...result, stop };
      continue;
    }
    const category = judgement.category ?? policy.kind;
    const param = judgement.param ?? parts[0]?.param ?? '';
    if (policy.action === 'block' && !flagOnly) {
      record(result, call, {
        policy,
        stage,
        outcome: 'blocked',
        category,
        param,
        seconds: since(started),
      });
      return { ...result, stop: { policy: policy.id, category, param, stage, unavailable: false } };
    }
    record(result, call, {
      policy,
      stage,
      outcome: 'flagged',
      category,
      param,
      seconds: since(started),
    });
  }
  return result;
}

/** A span detector's findings acted on; returns the stop when the policy blocks. */
function settle(
  policy: GuardrailPolicy,
  stage: Stage,
  hits: Array<{ part: TextPart; findings: Finding[] }>,
  started: number,
  call: CheckedCall,
  result: StageResult,
  flagOnly: boolean,
  categoryOverride?: string,
): GuardrailStop | undefined {
  if (hits.length === 0) {
    record(result, call, { policy, stage, outcome: 'pass', seconds: since(started) });
    return undefined;
  }
  const first = hits[0];
  const category = categoryOverride ?? first.findings[0].category ?? first.findings[0].label;
  const matched = hits.flatMap(({ part, findings }) =>
    findings.map((f) => part.text.slice(f.start, f.end)),
  );
  const base = { policy, stage, category, param: first.part.param, matched };
  if (flagOnly || policy.action === 'flag') {
    record(result, call, { ...base, outcome: 'flagged', seconds: since(started) });
    return undefined;
  }
  if (policy.action === 'block') {
    record(result, call, { ...base, outcome: 'blocked', seconds: since(started) });
    return { policy: policy.id, category, param: first.part.param, stage, unavailable: false };
  }
  for (const { part, findings } of hits) {
    const text = redact(part.text, findings);
    part.set(text);
    part.text = text;
  }
  result.changed = true;
  record(result, call, { ...base, outcome: 'redacted', seconds: since(started) });
  return undefined;
}

function record(result: StageResult, call: CheckedCall, run: PolicyResult): void {
  const outcome: GuardrailOutcome = {
    policy: run.policy.id,
    stage: run.stage,
    outcome: run.outcome,
    ...(run.category !== undefined && run.outcome !== 'pass' && { category: run.category }),
  };
  result.outcomes.push(outcome);
  call.observe(run);
}

function since(started: number): number {
  return (performance.now() - started) / 1000;
}
