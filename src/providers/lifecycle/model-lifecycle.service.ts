import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/gateway-config';
import { GROQ_RETIREMENTS } from '../groq/groq-retirements';
import {
  buildRetirementTable,
  dayStartMs,
  decideRetired,
  finalSuccessor,
  lifecycleHeaders,
  utcDay,
  type LifecycleDecision,
  type Retirement,
  type RetiredPolicy,
} from './model-lifecycle';

export type RetiredCallListener = (model: string, action: LifecycleDecision['action']) => void;

/**
 * Groq model retirements: the shipped table with `models.successors` applied, plus ids Groq
 * answered `model_decommissioned` for (learnt, per replica, for the life of the process). Logs
 * one warning per retired id and tells a listener (the metrics) of every call that named one.
 */
@Injectable()
export class ModelLifecycleService {
  private readonly logger = new Logger('ModelLifecycle');
  private readonly table: Map<string, Retirement>;
  private readonly successors: Readonly<Record<string, string>>;
  private readonly warned = new Set<string>();
  readonly defaultPolicy: RetiredPolicy;
  private listener?: RetiredCallListener;
  /**
   * Decisions by policy and id, and their headers by the model as asked: the same every call
   * until the next retirement day in the table comes (or the table learns an id), so computed once
   * (date parsing and header formatting were measurable on every call for a retired model).
   */
  private readonly decisions = new Map<string, LifecycleDecision>();
  private readonly headers = new WeakMap<LifecycleDecision, Map<string, Record<string, string>>>();
  private decisionsFrom = 0;
  private decisionsUntil = 0;

  constructor(config: ConfigService<AllConfig, true>) {
    const retired = config.get('gateway', { infer: true }).governance.retiredModels;
    this.successors = retired?.successors ?? {};
    this.defaultPolicy = retired?.onRetired ?? 'warn';
    this.table = buildRetirementTable(GROQ_RETIREMENTS, this.successors);
  }

  onRetiredCall(listener: RetiredCallListener): void {
    this.listener = listener;
  }

  /** The decision for a call naming `upstreamId` (undefined: not retired as far as is known). */
  decide(
    upstreamId: string,
    policy: RetiredPolicy = this.defaultPolicy,
    nowMs = Date.now(),
  ): LifecycleDecision | undefined {
    if (!this.table.has(upstreamId)) return undefined;
    if (nowMs < this.decisionsFrom || nowMs >= this.decisionsUntil) this.forgetDecisions(nowMs);
    const key = `${policy}\u0000${upstreamId}`;
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = decideRetired(this.table, upstreamId, policy, nowMs) as LifecycleDecision;
      this.decisions.set(key, decision);
    }
    return decision;
  }

  /** The lifecycle response headers of a decision for the model as the client named it. */
  headersFor(
    decision: LifecycleDecision,
    requestedModel: string,
  ): Readonly<Record<string, string>> {
    let byModel = this.headers.get(decision);
    if (!byModel) {
      byModel = new Map();
      this.headers.set(decision, byModel);
    }
    let headers = byModel.get(requestedModel);
    if (!headers) {
      headers = Object.freeze(lifecycleHeaders(decision, requestedModel));
      // Ids asked are few (those the table knows, in their spellings); bounded all the same.
      if (byModel.size < 64) byModel.set(requestedModel, headers);
    }
    return headers;
  }

  /** Starts the cache afresh, valid until the next retirement day after `nowMs`. */
  private forgetDecisions(nowMs: number): void {
    this.decisions.clear();
    this.decisionsFrom = nowMs;
    let until = Number.POSITIVE_INFINITY;
    for (const retirement of this.table.values()) {
      const at = dayStartMs(retirement.retiredOn);
      if (at > nowMs && at < until) until = at;
    }
    this.decisionsUntil = until;
  }

  /** Counts and logs (once per id) a call that named a retired id. */
  noteCall(decision: LifecycleDecision, requestedModel: string): void {
    this.listener?.(decision.retirement.id, decision.action);
    if (this.warned.has(decision.retirement.id)) return;
    this.warned.add(decision.retirement.id);
    this.logger.warn(
      `Model ${requestedModel} is retired by Groq (since ${decision.retirement.retiredOn}); successor: ${decision.successor ?? 'none known (set models.successors)'}; this call: ${decision.action}. Logged once per model.`,
    );
  }

  /** Groq said the id is decommissioned: remember it as retired from today, if it was not known. */
  learn(upstreamId: string, nowMs = Date.now()): LifecycleDecision {
    let retirement = this.table.get(upstreamId);
    if (!retirement) {
      retirement = {
        id: upstreamId,
        retiredOn: utcDay(nowMs),
        successor: this.successors[upstreamId],
        source: 'learnt from Groq model_decommissioned',
      };
      this.table.set(upstreamId, retirement);
      this.decisionsUntil = 0;
      this.logger.warn(
        `Groq answered model_decommissioned for ${upstreamId}, which the gateway's table did not know: treated as retired from now on (successor: ${retirement.successor ?? 'none; name one with models.successors'}).`,
      );
      this.warned.add(upstreamId);
    }
    return {
      retirement,
      successor: finalSuccessor(this.table, upstreamId, nowMs),
      action: 'forward',
    };
  }

  /** Known retirements by upstream id, for `/v1/models`. */
  retirementOf(upstreamId: string): Retirement | undefined {
    return this.table.get(upstreamId);
  }

  successorOf(upstreamId: string, nowMs = Date.now()): string | undefined {
    return finalSuccessor(this.table, upstreamId, nowMs);
  }
}
