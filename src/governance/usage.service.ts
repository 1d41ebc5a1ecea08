import { Injectable } from '@nestjs/common';
import { CallEvents } from '../call/call-events';
import type { EndedCall } from '../call/ended-call';
import type { ChatUsage } from '../providers/chat-types';
import { budgetPeriod, costNanoUsd, NANO_USD_PER_USD, usdFromNano } from './budget';
import { GovernanceService } from './governance.service';

/**
 * Settles what each admitted call used against its virtual key, from the call's `ended` event:
 * off the response's path, once, whether the call finished or its client left. The usage is
 * Groq's, or for a call Groq never reported (a stream left or failed mid-way, a JSON call given up
 * on once Groq had it) the gateway's estimate made at the call's end: its prompt and the output
 * the client was sent (unreported-usage.ts). A settlement the store cannot take is tried again
 * in the background until it lands, counted once (SettlementRetries).
 */
@Injectable()
export class GovernanceUsage {
  constructor(
    private readonly governance: GovernanceService,
    events: CallEvents,
  ) {
    if (governance.enabled) events.onEnded((call) => void this.settle(call));
  }

  async settle(call: EndedCall): Promise<void> {
    const governed = call.governed;
    if (!governed) return;
    const { governance } = this;
    if (governed.reservationId) governance.leases.release(governed.reservationId);
    // The call's own tokens, priced by the model that served it; then what guardrail judges
    // (moderation models) spent on its behalf, each priced by its own model.
    const charges: Array<{
      usage: ChatUsage;
      models: Array<string | undefined>;
      /** The call's own cost when it reported usage (cached tokens at the cached rate, Compound by its breakdown). */
      costUsd?: number;
    }> = [];
    const usage = call.usage;
    if (usage)
      charges.push({ usage, models: [call.model, governed.requestedModel], costUsd: call.costUsd });
    for (const judged of call.guardrailUsage ?? [])
      charges.push({ usage: judged.usage, models: [judged.model] });
    // Nothing to charge (the call failed): what it reserved goes back now, not at its lease's end.
    if (charges.length === 0) {
      if (governed.reservationId)
        await governance.release(governed.key.id, governed.reservationId, governed.team?.id);
      return;
    }
    let tokens = 0;
    let cost = 0;
    for (const charge of charges) {
      const price = charge.models.map((m) => governance.priceOf(m)).find(Boolean) ?? {
        input: 0,
        output: 0,
      };
      const chargeCost =
        charge.costUsd !== undefined
          ? Math.round(charge.costUsd * NANO_USD_PER_USD)
          : costNanoUsd(price, charge.usage);
      governance.metrics.virtualKeyUsage(
        governed.key.id,
        charge.usage.prompt_tokens,
        charge.usage.completion_tokens,
        usdFromNano(chargeCost),
      );
      tokens += charge.usage.total_tokens;
      cost += chargeCost;
    }
    const nowMs = Date.now();
    const window = governed.key.budget
      ? budgetPeriod(governed.key.budget.period, nowMs)
      : undefined;
    // A team's spend is counted whether or not it has a budget (its usage view shows it), in its
    // budget's period, monthly without one.
    const team = governed.team;
    const teamWindow = team ? budgetPeriod(team.budget?.period ?? 'monthly', nowMs) : undefined;
    await governance.settlements.settle({
      keyId: governed.key.id,
      reservationId: governed.reservationId,
      tokens,
      costNanoUsd: cost,
      budgetPeriod: window ? { period: window.label, endsAtMs: window.endsAtMs } : undefined,
      team:
        team && teamWindow
          ? { teamId: team.id, period: teamWindow.label, endsAtMs: teamWindow.endsAtMs }
          : undefined,
    });
  }
}
