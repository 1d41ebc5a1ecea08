import { publicGroqModelId } from '../providers/model-router';
import { GatewayError } from '../common/errors/gateway-error';
import type { Admission } from './store/governance-store';
import { usdFromNano } from './budget';

/** The refusals of governance, with the status codes Bifrost's governance uses (DESIGN.md §4). */
export function missingKey(): GatewayError {
  return new GatewayError({
    status: 401,
    message:
      'This gateway needs a virtual key: send it as Authorization: Bearer <key> (or x-api-key). Ask your platform team for one.',
    code: 'missing_api_key',
  });
}

export function unknownKey(): GatewayError {
  return new GatewayError({
    status: 401,
    message:
      'The virtual key you sent is not valid for this gateway, or it was revoked or rotated.',
    code: 'invalid_api_key',
  });
}

export function modelNotAllowed(
  model: string,
  param: string,
  allowed: string[],
  successor?: string,
): GatewayError {
  const why = successor
    ? `'${model}' is retired and would be served by its successor '${publicGroqModelId(successor)}' (onRetired: substitute), which this virtual key may not call. Add the successor to the key's models, or set the key's onRetired to warn.`
    : `This virtual key may not call '${model}'.`;
  return new GatewayError({
    status: 403,
    message: `${why} It may call: ${allowed.map(publicGroqModelId).join(', ')}.`,
    param,
    code: 'model_not_allowed',
  });
}

export function modelNotPriced(model: string): GatewayError {
  return new GatewayError({
    status: 403,
    message: `This virtual key has a budget, and '${model}' has no price (neither in governance.prices nor in the gateway's default Groq prices), so its spend cannot be counted. Ask your platform team to price it.`,
    param: 'model',
    code: 'model_not_priced',
  });
}

export function admissionRefused(admission: Admission, budgetUsd?: number): GatewayError {
  const retryAfterSeconds = Math.max(1, Math.ceil((admission.retryAfterMs ?? 1000) / 1000));
  if (admission.reason === 'budget') {
    return new GatewayError({
      status: 402,
      message: `This virtual key has spent its budget for the period ($${usdFromNano(admission.spentNanoUsd).toFixed(4)} of $${budgetUsd ?? 0}). It renews in ${retryAfterSeconds} s.`,
      type: 'insufficient_quota',
      code: 'budget_exceeded',
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
  const what = admission.reason === 'tokens' ? 'tokens per minute' : 'requests per minute';
  return new GatewayError({
    status: 429,
    message: `Rate limit of this virtual key reached (${what}). Try again in ${retryAfterSeconds} s.`,
    type: admission.reason === 'tokens' ? 'tokens' : 'requests',
    code: 'rate_limit_exceeded',
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

export function governanceUnavailable(): GatewayError {
  return new GatewayError({
    status: 503,
    message:
      'The gateway cannot reach its shared limits store, and is set to refuse requests until it can (GOVERNANCE_ON_STORE_FAILURE=closed). Try again shortly.',
    type: 'api_error',
    code: 'governance_unavailable',
    headers: { 'retry-after': '1' },
  });
}
