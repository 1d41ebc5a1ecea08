import { callerOf } from './audit-log';
import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { defer, switchMap, type Observable } from 'rxjs';
import type { GatewayCall } from '../call/gateway-call';
import type { GatewayError } from '../common/errors/gateway-error';
import type { VirtualKeyRecord } from '../config/governance-config';
import { routeModel } from '../providers/model-router';
import { admissionHeaders, anthropicAdmissionHeaders } from './admission-headers';
import { budgetPeriod, NANO_USD_PER_USD } from './budget';
import {
  admissionRefused,
  governanceUnavailable,
  missingKey,
  modelNotAllowed,
  modelNotPriced,
  unknownKey,
} from './governance-errors';
import { GovernanceService } from './governance.service';
import type { Admission } from './store/governance-store';
import { StoreBreakerOpenError } from './store/store-breaker';
import type { ReserveRequest } from './store/reservation';
import { estimatePromptTokensHigh, explicitOutputTokens, outputCapOf } from './reservation-inputs';
import { randomUUID } from 'node:crypto';
import { presentedKey } from './virtual-key';

/**
 * Governance in front of a call, in two steps. `authenticate` (the guard, for every governed
 * route, before the body is validated) finds the virtual key; an unknown key is refused whatever
 * the store's state (authentication never fails open). `admit` (once the call is validated and
 * its model routed) checks the models the key may call and takes the call against its limits and
 * budget, and its team's budget (issue 20) in the same atomic step. Limits follow `onStoreFailure` while the store cannot be reached: `open` admits
 * (uncounted) and `closed` answers 503. Every refusal is counted and audited.
 */
@Injectable()
export class GovernanceAdmission {
  constructor(private readonly governance: GovernanceService) {}

  /** Finds the caller's virtual key and sets it on the call, or throws the refusal. */
  async authenticate(
    call: GatewayCall,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<void> {
    try {
      const key = await this.keyFor(presentedKey(headers));
      call.virtualKey = key;
      call.virtualKeyId = key.id;
      // Its team (issue 20), for request logs, per-team retention and whatever acts on the end.
      call.teamId = key.team;
    } catch (error) {
      this.refused(call, error as GatewayError);
      throw error;
    }
  }

  /**
   * `send`, once the call is admitted; the call itself when it has no virtual key (governance
   * off, or an ungoverned route): no admission step is built then.
   */
  gate<T>(call: GatewayCall, send: () => Observable<T>): Observable<T> {
    if (!call.virtualKey) return send();
    return defer(() => this.admit(call)).pipe(switchMap(send));
  }

  /** Admits the validated, routed call against its key's models, limits and budget. */
  async admit(call: GatewayCall): Promise<void> {
    const key = call.virtualKey;
    if (!key) return;
    try {
      await this.admitKey(call, key);
    } catch (error) {
      this.refused(call, error as GatewayError);
      throw error;
    }
  }

  private async keyFor(presented: string | undefined): Promise<VirtualKeyRecord> {
    if (!presented) throw missingKey();
    const { registry, store } = this.governance;
    const key = registry.find(presented);
    if (key) return key;
    // An admin-made key this replica has not seen yet: look once more before refusing (a version
    // check, one cheap read, so a spray of wrong keys cannot make Redis reload all keys each
    // time); while the store is away a key it holds cannot be told from a wrong one.
    if (store.shared && (await this.governance.refreshKeys())) {
      const fresh = registry.find(presented);
      if (fresh) return fresh;
    }
    if (store.shared && !this.governance.storeIsHealthy) throw governanceUnavailable('key');
    throw unknownKey();
  }

  private async admitKey(call: GatewayCall, key: VirtualKeyRecord): Promise<void> {
    const upstreamModel = call.route?.upstreamModel;
    this.checkModels(call, key);
    const { governance } = this;
    const nowMs = Date.now();
    const window = key.budget ? budgetPeriod(key.budget.period, nowMs) : undefined;
    const team = governance.registry.team(key.team);
    const teamWindow = team?.budget ? budgetPeriod(team.budget.period, nowMs) : undefined;
    if ((key.budget || team?.budget) && upstreamModel && !governance.isPriced(upstreamModel))
      throw modelNotPriced(call.modelAsked ?? upstreamModel);

    const reserve = this.reservationFor(call, key, team?.budget !== undefined);
    let admission: Admission | undefined;
    try {
      admission = await governance.store.admit({
        keyId: key.id,
        requestsPerMinute: key.requestsPerMinute,
        tokensPerMinute: key.tokensPerMinute,
        reserve,
        budget:
          key.budget && window
            ? {
                limitNanoUsd: Math.round(key.budget.usd * NANO_USD_PER_USD),
                period: window.label,
                endsAtMs: window.endsAtMs,
              }
            : undefined,
        teamBudget:
          team?.budget && teamWindow
            ? {
                teamId: team.id,
                limitNanoUsd: Math.round(team.budget.usd * NANO_USD_PER_USD),
                period: teamWindow.label,
                endsAtMs: teamWindow.endsAtMs,
              }
            : undefined,
      });
      governance.storeAnswered();
    } catch (error) {
      governance.storeFailed(error as Error);
      // Given up on, the admission may still land (a hung Redis runs it when it resumes): its
      // hold, which nobody would settle, is released (this call's id only, sent after the
      // admission on the same connection, retried until the store answers). The open breaker
      // never sent it: nothing to undo.
      if (reserve && !(error instanceof StoreBreakerOpenError))
        void governance.release(key.id, reserve.id, team?.budget ? team.id : undefined);
      if (governance.config.governance.onStoreFailure === 'closed')
        throw governanceUnavailable('limits');
      // Open: admitted uncounted, and the response says so.
      call.reply.header('x-gateway-governance', 'store-unavailable');
    }
    if (admission) {
      const headers = admissionHeaders(key, admission, nowMs, window?.endsAtMs);
      if (call.apiFamily === 'anthropic')
        Object.assign(headers, anthropicAdmissionHeaders(key, admission));
      setHeaders(call.reply, headers);
      if (!admission.admitted) {
        // Which budget is used up, for whatever reads the end (alerts name the key or the team).
        if (admission.reason === 'budget') call.budgetRefused = 'key';
        else if (admission.reason === 'team-budget') call.budgetRefused = 'team';
        throw admissionRefused(admission, key, reserve, team);
      }
      const reservation = admission.reservation;
      // Under a team budget the call holds against the team as well: renewed together.
      if (reservation)
        governance.leases.hold(key.id, reservation.id, team?.budget ? team.id : undefined);
      const body = call.upstream?.body;
      if (reservation && body && reserve?.explicitOutputTokens === undefined) {
        if (governance.config.governance.clampToRemaining) {
          // The answer may not outrun what was reserved: the upstream is told the same limit.
          if (call.upstream?.api === 'responses') body.max_output_tokens = reservation.outputTokens;
          else {
            body.max_completion_tokens = reservation.outputTokens;
            delete body.max_tokens;
          }
          call.reply.header('x-gateway-max-tokens-clamped', String(reservation.outputTokens));
        }
      }
    }
    call.governed = {
      key,
      requestedModel: upstreamModel,
      reservationId: admission?.reservation?.id,
      team,
    };
  }

  /**
   * The call's worst case, for a key with a budget or a token limit: a prompt estimate that errs
   * high, the caller's own output limit (or, without one, what the key has left up to the model's
   * output cap, or `reserveOutputTokens`), priced at the dearest of the model and its fallbacks.
   */
  private reservationFor(
    call: GatewayCall,
    key: VirtualKeyRecord,
    teamBudget: boolean,
  ): ReserveRequest | undefined {
    const body = call.upstream?.body;
    const priced = key.budget !== undefined || teamBudget;
    if (!body || (!key.tokensPerMinute && !priced)) return undefined;
    const { governance } = this;
    const settings = governance.config.governance;
    const models = [
      call.route?.upstreamModel,
      ...(call.upstream?.fallbacks ?? []).map((m) => this.upstreamIdOf(m)),
    ];
    let input = 0;
    let output = 0;
    for (const model of models) {
      const price = governance.priceOf(model);
      if (!price) continue;
      input = Math.max(input, price.input);
      output = Math.max(output, price.output);
    }
    const nanoPerToken = NANO_USD_PER_USD / 1_000_000;
    return {
      id: call.requestId + ':' + randomUUID(),
      promptTokens: estimatePromptTokensHigh(body),
      explicitOutputTokens: explicitOutputTokens(body),
      outputCap: settings.clampToRemaining
        ? outputCapOf(call.route?.upstreamModel)
        : settings.reserveOutputTokens,
      inputNanoPerToken: priced ? input * nanoPerToken : 0,
      outputNanoPerToken: priced ? output * nanoPerToken : 0,
      leaseMs: settings.reservationLeaseMs,
    };
  }

  /** Refuses any model the key may not call: the routed model, then the request's fallbacks. */
  private checkModels(call: GatewayCall, key: VirtualKeyRecord): void {
    if (key.models.length === 0) return;
    const upstream = call.route?.upstreamModel;
    if (upstream !== undefined && !key.models.includes(upstream)) {
      // A retired model its successor serves (models.onRetired: substitute) is checked as the
      // successor: a key allowed only the retired id is not thereby allowed its successor.
      const substitutedFrom = call.upstream?.substitutedFrom;
      throw substitutedFrom
        ? modelNotAllowed(substitutedFrom, 'model', key.models, upstream)
        : modelNotAllowed(call.modelAsked ?? upstream, 'model', key.models);
    }
    const fallbacks = call.upstream?.fallbacks ?? [];
    fallbacks.forEach((fallback, index) => {
      const id = this.upstreamIdOf(fallback);
      if (id !== undefined && !key.models.includes(id)) {
        throw modelNotAllowed(fallback, `fallbacks[${index}]`, key.models);
      }
    });
  }

  /** Undefined for a model string the router refuses: the fallback path answers that 400 itself. */
  private upstreamIdOf(model: string): string | undefined {
    try {
      return routeModel(model, this.governance.config.modelAliases).upstreamModel;
    } catch {
      return undefined;
    }
  }

  private refused(call: GatewayCall, refusal: GatewayError): void {
    const { governance } = this;
    governance.metrics.governanceDenied(refusal.code, refusal.status);
    governance.audit.write({
      action: 'request',
      actor: call.virtualKeyId ?? null,
      outcome: 'denied',
      status: refusal.status,
      code: refusal.code ?? undefined,
      method: call.method,
      path: call.path,
      model: call.modelAsked,
      requestId: call.requestId,
      ...callerOf(call),
      messages: call.upstream?.body.messages ?? call.upstream?.body.input,
    });
  }
}

function setHeaders(reply: FastifyReply, headers: Record<string, string>): void {
  for (const name in headers) reply.header(name, headers[name]);
}
