import type { VirtualKeyRecord } from '../config/governance-config';
import { formatGoDuration } from '../providers/keys/go-duration';
import { usdFromNano } from './budget';
import type { Admission } from './store/governance-store';

/**
 * Where the caller stands against its virtual key's limits, in the header names OpenAI and Groq
 * use (`x-ratelimit-*`, resets as Go durations), plus the budget.
 */
export function admissionHeaders(
  key: Pick<VirtualKeyRecord, 'requestsPerMinute' | 'tokensPerMinute' | 'budget'>,
  admission: Admission,
  nowMs: number,
  budgetEndsAtMs?: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (key.requestsPerMinute) {
    headers['x-ratelimit-limit-requests'] = String(key.requestsPerMinute);
    headers['x-ratelimit-remaining-requests'] = String(
      Math.max(0, key.requestsPerMinute - admission.requestsInWindow),
    );
    headers['x-ratelimit-reset-requests'] = formatGoDuration(admission.requestsResetMs - nowMs);
  }
  if (key.tokensPerMinute) {
    headers['x-ratelimit-limit-tokens'] = String(key.tokensPerMinute);
    headers['x-ratelimit-remaining-tokens'] = String(
      Math.max(0, key.tokensPerMinute - admission.tokensInWindow),
    );
    headers['x-ratelimit-reset-tokens'] = formatGoDuration(admission.tokensResetMs - nowMs);
  }
  if (key.budget) {
    headers['x-gateway-budget-limit-usd'] = String(key.budget.usd);
    headers['x-gateway-budget-remaining-usd'] = Math.max(
      0,
      key.budget.usd - usdFromNano(admission.spentNanoUsd),
    ).toFixed(6);
    if (budgetEndsAtMs) headers['x-gateway-budget-reset'] = new Date(budgetEndsAtMs).toISOString();
  }
  return headers;
}
