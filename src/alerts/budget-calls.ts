import type { EndedCall } from '../call/ended-call';
import type { BudgetPeriod } from '../config/governance-config';
import { budgetPeriod } from '../governance/budget';
import type { BudgetCalls, BudgetOwner } from './fleet/alert-fleet';

export interface BudgetOutcome {
  owner: BudgetOwner;
  /** The virtual key's id, or the team's. */
  id: string;
  outcome: 'refused' | 'admitted';
}

/**
 * What a finished call says about the budgets it ran against (issue 20: a virtual key's own, and
 * its team's): refused because one of them is used up for now (402 `budget_exceeded` without a
 * `param`, naming which budget; with a `param`, the call alone was dearer than the whole budget,
 * which says nothing about the spend), or admitted against each budget it was checked against.
 */
export function budgetOutcomes(
  call: Pick<
    EndedCall,
    'status' | 'errorCode' | 'errorParam' | 'budgetRefused' | 'virtualKeyId' | 'teamId' | 'governed'
  >,
): BudgetOutcome[] {
  if (call.status === 402 && call.errorCode === 'budget_exceeded' && !call.errorParam) {
    const id = call.budgetRefused === 'team' ? call.teamId : call.virtualKeyId;
    return id ? [{ owner: call.budgetRefused ?? 'key', id, outcome: 'refused' }] : [];
  }
  const governed = call.governed;
  if (!governed) return [];
  const outcomes: BudgetOutcome[] = [];
  if (governed.key.budget)
    outcomes.push({ owner: 'key', id: governed.key.id, outcome: 'admitted' });
  if (governed.team?.budget)
    outcomes.push({ owner: 'team', id: governed.team.id, outcome: 'admitted' });
  return outcomes;
}

/**
 * Since when a budget's calls are refused: its last call in this budget period was refused, and
 * none was admitted after it. A new period, or an admitted call, ends it.
 */
export function refusedSince(
  calls: BudgetCalls | undefined,
  period: BudgetPeriod,
  periodLabel: string,
): number | undefined {
  const refused = calls?.refusedAtMs;
  if (refused === undefined) return undefined;
  if (budgetPeriod(period, refused).label !== periodLabel) return undefined;
  if ((calls?.admittedAtMs ?? -1) >= refused) return undefined;
  return refused;
}
