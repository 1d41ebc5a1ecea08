/**
 * Reservations: a call takes its worst case (prompt estimate + output tokens, and their cost)
 * from its key's token window and budget at admission, atomically with every other admission,
 * and gives back what it did not use when it ends. The arithmetic lives here, pure; the memory
 * store calls it, and the Redis admit script is the same rules in Lua.
 */

/** What an admission asks to reserve. */
export interface ReserveRequest {
  /** Unique per call: the reservation's name in the store. */
  id: string;
  /** A prompt estimate that errs high. */
  promptTokens: number;
  /** The caller's own `max_tokens` / `max_completion_tokens`; must fit whole. */
  explicitOutputTokens?: number;
  /**
   * Without an explicit limit: at most this many output tokens (the model's output cap when the
   * gateway clamps the call to what it reserved; `reserveOutputTokens` when it does not).
   */
  outputCap: number;
  /** Prices in nano-USD per token (USD per million tokens x 1000). */
  inputNanoPerToken: number;
  outputNanoPerToken: number;
  /** How long the reservation holds if its call never settles (a replica that died). */
  leaseMs: number;
}

/** What the key has now: settled use and reservations in flight. */
export interface ReservationState {
  tokensPerMinute?: number;
  budgetNanoUsd?: number;
  tokensInWindow: number;
  reservedTokens: number;
  spentNanoUsd: number;
  reservedNanoUsd: number;
  /** The key's team's budget (issue 20), its spend this period and its calls in flight. */
  teamBudgetNanoUsd?: number;
  teamSpentNanoUsd?: number;
  teamReservedNanoUsd?: number;
}

/**
 * `never`: the call cannot fit even with nothing else in flight (400, or 402 without a
 * retry-after); `tokens` / `budget` / `team-budget`: it cannot fit now.
 */
export type ReservationDenial =
  'tokens' | 'budget' | 'team-budget' | 'tokens-never' | 'budget-never' | 'team-budget-never';

export type ReservationPlan =
  | { ok: true; tokens: number; costNanoUsd: number; outputTokens: number }
  | { ok: false; reason: ReservationDenial; blockedBySettled: boolean };

/** The output tokens a budget's remaining nano-USD buys at `outP` per token. */
function outputTokensFor(left: number, outP: number): number {
  return outP > 0 ? Math.floor(left / outP) : left >= 0 ? Infinity : -1;
}

/** The output tokens and cost a call may reserve now, or why it cannot. */
export function planReservation(state: ReservationState, request: ReserveRequest): ReservationPlan {
  const tpm = state.tokensPerMinute;
  const budget = state.budgetNanoUsd;
  const prompt = request.promptTokens;
  const inP = request.inputNanoPerToken;
  const outP = request.outputNanoPerToken;
  const explicit = request.explicitOutputTokens;
  const promptCost = Math.ceil(prompt * inP);
  const minimumOut = explicit ?? 1;

  if (tpm !== undefined && prompt + minimumOut > tpm)
    return { ok: false, reason: 'tokens-never', blockedBySettled: true };
  if (budget !== undefined && promptCost + Math.ceil(minimumOut * outP) > budget)
    return { ok: false, reason: 'budget-never', blockedBySettled: true };
  const teamBudget = state.teamBudgetNanoUsd;
  if (teamBudget !== undefined && promptCost + Math.ceil(minimumOut * outP) > teamBudget)
    return { ok: false, reason: 'team-budget-never', blockedBySettled: true };

  const tokensLeft =
    tpm === undefined ? Infinity : tpm - state.tokensInWindow - state.reservedTokens - prompt;
  const budgetLeft =
    budget === undefined
      ? Infinity
      : budget - state.spentNanoUsd - state.reservedNanoUsd - promptCost;
  const budgetTokens = outputTokensFor(budgetLeft, outP);
  const teamSpent = state.teamSpentNanoUsd ?? 0;
  const teamTokens =
    teamBudget === undefined
      ? Infinity
      : outputTokensFor(
          teamBudget - teamSpent - (state.teamReservedNanoUsd ?? 0) - promptCost,
          outP,
        );

  let outputTokens: number;
  if (explicit !== undefined) outputTokens = explicit;
  else outputTokens = Math.min(request.outputCap, tokensLeft, budgetTokens, teamTokens);

  if (
    outputTokens < minimumOut ||
    tokensLeft < minimumOut ||
    budgetTokens < minimumOut ||
    teamTokens < minimumOut
  ) {
    const tokensShort = tokensLeft < minimumOut;
    if (tokensShort) {
      const settledOnly = (tpm ?? Infinity) - state.tokensInWindow - prompt < minimumOut;
      return { ok: false, reason: 'tokens', blockedBySettled: settledOnly };
    }
    if (budgetTokens < minimumOut) {
      const settledOnly =
        (budget ?? Infinity) - state.spentNanoUsd - promptCost < Math.ceil(minimumOut * outP);
      return { ok: false, reason: 'budget', blockedBySettled: settledOnly };
    }
    const settledOnly =
      (teamBudget ?? Infinity) - teamSpent - promptCost < Math.ceil(minimumOut * outP);
    return { ok: false, reason: 'team-budget', blockedBySettled: settledOnly };
  }
  return {
    ok: true,
    tokens: prompt + outputTokens,
    costNanoUsd: promptCost + Math.ceil(outputTokens * outP),
    outputTokens,
  };
}
