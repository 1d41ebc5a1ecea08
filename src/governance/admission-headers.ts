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

/**
 * The same, in the names the Anthropic API uses (`anthropic-ratelimit-*`, resets as RFC 3339
 * times), for clients of the /anthropic drop-in that read them.
 */
export function anthropicAdmissionHeaders(
  key: Pick<VirtualKeyRecord, 'requestsPerMinute' | 'tokensPerMinute'>,
  admission: Admission,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (key.requestsPerMinute) {
    headers['anthropic-ratelimit-requests-limit'] = String(key.requestsPerMinute);
    headers['anthropic-ratelimit-requests-remaining'] = String(
      Math.max(0, key.requestsPerMinute - admission.requestsInWindow),
    );
    headers['anthropic-ratelimit-requests-reset'] = new Date(
      admission.requestsResetMs,
    ).toISOString();
  }
  if (key.tokensPerMinute) {
    headers['anthropic-ratelimit-tokens-limit'] = String(key.tokensPerMinute);
    headers['anthropic-ratelimit-tokens-remaining'] = String(
      Math.max(0, key.tokensPerMinute - admission.tokensInWindow),
    );
    headers['anthropic-ratelimit-tokens-reset'] = new Date(admission.tokensResetMs).toISOString();
  }
  return headers;
}
