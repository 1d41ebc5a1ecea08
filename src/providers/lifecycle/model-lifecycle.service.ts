import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/gateway-config';
import { GROQ_RETIREMENTS } from '../groq/groq-retirements';
import {
  buildRetirementTable,
  decideRetired,
  finalSuccessor,
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
    return decideRetired(this.table, upstreamId, policy, nowMs);
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
