import type { EndedCall, GuardrailOutcome } from '../call/ended-call';

/** One guardrail decision that did something (blocked, flagged, redacted, or failed to run). */
export interface GuardrailEvent {
  time: string;
  requestId: string;
  policy: string;
  stage: GuardrailOutcome['stage'];
  outcome: Exclude<GuardrailOutcome['outcome'], 'pass'>;
  category: string | null;
  status: number;
  model: string | null;
  virtualKey: string | null;
  team: string | null;
}

/** The call's guardrail outcomes other than `pass`, as events (none for most calls). */
export function guardrailEvents(call: EndedCall): GuardrailEvent[] {
  const events: GuardrailEvent[] = [];
  for (const g of call.guardrails ?? []) {
    if (g.outcome === 'pass') continue;
    events.push({
      time: new Date(call.startedAtMs).toISOString(),
      requestId: call.requestId,
      policy: g.policy,
      stage: g.stage,
      outcome: g.outcome,
      category: g.category ?? null,
      status: call.status,
      model: call.model ?? call.modelAsked ?? null,
      virtualKey: call.virtualKeyId ?? null,
      team: call.teamId ?? null,
    });
  }
  return events;
}

export type OutcomeCounts = Record<GuardrailEvent['outcome'], number>;

/** Counts by policy of what each did, added to as events come. */
export function countEvent(counts: Map<string, OutcomeCounts>, event: GuardrailEvent): void {
  let row = counts.get(event.policy);
  if (!row) {
    row = { blocked: 0, flagged: 0, redacted: 0, error: 0 };
    counts.set(event.policy, row);
  }
  row[event.outcome]++;
}
