import type { VirtualKeyRecord } from '../config/governance-config';
import { formatGoDuration } from '../providers/keys/go-duration';
import { usdFromNano } from './budget';
import type { Admission } from './store/governance-store';

type LimitedKey = Pick<VirtualKeyRecord, 'requestsPerMinute' | 'tokensPerMinute'>;

interface Standing {
  unit: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  resetMs: number;
}

/** Where a key stands against each per-minute limit it has, whatever the headers call it. */
function standings(key: LimitedKey, admission: Admission): Standing[] {
  const result: Standing[] = [];
  if (key.requestsPerMinute) {
    result.push({
      unit: 'requests',
      limit: key.requestsPerMinute,
      remaining: Math.max(0, key.requestsPerMinute - admission.requestsInWindow),
      resetMs: admission.requestsResetMs,
    });
  }
  if (key.tokensPerMinute) {
    result.push({
      unit: 'tokens',
      limit: key.tokensPerMinute,
      remaining: Math.max(
        0,
        key.tokensPerMinute - admission.tokensInWindow - admission.reservedTokens,
      ),
      resetMs: admission.tokensResetMs,
    });
  }
  return result;
}

/**
 * Where the caller stands against its virtual key's limits, in the header names OpenAI and Groq
 * use (`x-ratelimit-*`, resets as Go durations), plus the budget.
 */
export function admissionHeaders(
  key: LimitedKey & Pick<VirtualKeyRecord, 'budget'>,
  admission: Admission,
  nowMs: number,
  budgetEndsAtMs?: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { unit, limit, remaining, resetMs } of standings(key, admission)) {
    headers[`x-ratelimit-limit-${unit}`] = String(limit);
    headers[`x-ratelimit-remaining-${unit}`] = String(remaining);
    headers[`x-ratelimit-reset-${unit}`] = formatGoDuration(resetMs - nowMs);
  }
  if (key.budget) {
    headers['x-gateway-budget-limit-usd'] = String(key.budget.usd);
    headers['x-gateway-budget-remaining-usd'] = Math.max(
      0,
      key.budget.usd - usdFromNano(admission.spentNanoUsd + admission.reservedNanoUsd),
    ).toFixed(6);
    headers['x-gateway-budget-in-flight-usd'] = usdFromNano(admission.reservedNanoUsd).toFixed(6);
    if (budgetEndsAtMs) headers['x-gateway-budget-reset'] = new Date(budgetEndsAtMs).toISOString();
  }
  const reservation = admission.reservation;
  if (reservation) {
    // What this call holds until it ends (then it is settled to what it used).
    headers['x-gateway-budget-reserved-tokens'] = String(reservation.tokens);
    if (key.budget)
      headers['x-gateway-budget-reserved-usd'] = usdFromNano(reservation.costNanoUsd).toFixed(6);
  }
  return headers;
}

/**
 * The same, in the names the Anthropic API uses (`anthropic-ratelimit-*`, resets as RFC 3339
 * times), for clients of the /anthropic drop-in that read them.
 */
export function anthropicAdmissionHeaders(
  key: LimitedKey,
  admission: Admission,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { unit, limit, remaining, resetMs } of standings(key, admission)) {
    headers[`anthropic-ratelimit-${unit}-limit`] = String(limit);
    headers[`anthropic-ratelimit-${unit}-remaining`] = String(remaining);
    headers[`anthropic-ratelimit-${unit}-reset`] = new Date(resetMs).toISOString();
  }
  return headers;
}
