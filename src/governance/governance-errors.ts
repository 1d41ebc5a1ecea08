import { publicGroqModelId } from '../providers/model-router';
import { GatewayError } from '../common/errors/gateway-error';
import type { Admission } from './store/governance-store';
import type { ReserveRequest } from './store/reservation';
import type { TeamRecord, VirtualKeyRecord } from '../config/governance-config';
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

export function admissionRefused(
  admission: Admission,
  key: Pick<VirtualKeyRecord, 'budget' | 'tokensPerMinute'>,
  reserve?: ReserveRequest,
  team?: TeamRecord,
): GatewayError {
  const retryAfterSeconds = Math.max(1, Math.ceil((admission.retryAfterMs ?? 1000) / 1000));
  const retryAfter = { 'retry-after': String(retryAfterSeconds) };
  const budgetUsd = key.budget?.usd ?? 0;
  const asked = reserve?.explicitOutputTokens;
  const spent = `$${usdFromNano(admission.spentNanoUsd).toFixed(4)} spent and $${usdFromNano(admission.reservedNanoUsd).toFixed(4)} held by calls in flight, of $${budgetUsd}`;
  const teamBudgetUsd = team?.budget?.usd ?? 0;
  const teamSpent = `$${usdFromNano(admission.teamSpentNanoUsd ?? 0).toFixed(4)} spent and $${usdFromNano(admission.teamReservedNanoUsd ?? 0).toFixed(4)} held by calls in flight, of $${teamBudgetUsd}`;
  const teamName = `team '${team?.id ?? ''}'`;
  switch (admission.reason) {
    case 'team-budget-never':
      return new GatewayError({
        status: 402,
        message:
          asked !== undefined
            ? `This request's worst case (its prompt and max_tokens ${asked}) costs more than the whole budget of ${teamName} ($${teamBudgetUsd}), which this virtual key belongs to. Lower max_tokens or shorten the prompt.`
            : `This request's prompt alone costs more than the whole budget of ${teamName} ($${teamBudgetUsd}), which this virtual key belongs to. Shorten the prompt.`,
        type: 'insufficient_quota',
        code: 'budget_exceeded',
        param: asked !== undefined ? 'max_tokens' : 'messages',
      });
    case 'team-budget':
      return new GatewayError({
        status: 402,
        message:
          asked !== undefined
            ? `The budget of ${teamName}, which this virtual key belongs to, cannot cover this request's worst case now (${teamSpent}). Lower max_tokens, or retry in ${retryAfterSeconds} s.`
            : `The budget of ${teamName}, which this virtual key belongs to, is used up for now (${teamSpent}). Retry in ${retryAfterSeconds} s.`,
        type: 'insufficient_quota',
        code: 'budget_exceeded',
        headers: retryAfter,
      });
    case 'budget-never':
      return new GatewayError({
        status: 402,
        message:
          asked !== undefined
            ? `This request's worst case (its prompt and max_tokens ${asked}) costs more than this virtual key's whole budget of $${budgetUsd}. Lower max_tokens or shorten the prompt.`
            : `This request's prompt alone costs more than this virtual key's whole budget of $${budgetUsd}. Shorten the prompt.`,
        type: 'insufficient_quota',
        code: 'budget_exceeded',
        param: asked !== undefined ? 'max_tokens' : 'messages',
      });
    case 'budget':
      return new GatewayError({
        status: 402,
        message:
          asked !== undefined
            ? `This virtual key's budget cannot cover this request's worst case now (${spent}). Lower max_tokens, or retry in ${retryAfterSeconds} s.`
            : `This virtual key's budget is used up for now (${spent}). Retry in ${retryAfterSeconds} s.`,
        type: 'insufficient_quota',
        code: 'budget_exceeded',
        headers: retryAfter,
      });
    case 'tokens-never':
      return new GatewayError({
        status: 400,
        message:
          asked !== undefined
            ? `This request's prompt (about ${reserve?.promptTokens ?? 0} tokens) plus max_tokens ${asked} exceeds this virtual key's whole limit of ${key.tokensPerMinute} tokens per minute, so it could never be admitted. Lower max_tokens.`
            : `This request's prompt (about ${reserve?.promptTokens ?? 0} tokens) exceeds this virtual key's whole limit of ${key.tokensPerMinute} tokens per minute, so it could never be admitted. Shorten the prompt.`,
        code: 'exceeds_key_token_limit',
        param: asked !== undefined ? 'max_tokens' : 'messages',
      });
    default: {
      const what = admission.reason === 'tokens' ? 'tokens per minute' : 'requests per minute';
      return new GatewayError({
        status: 429,
        message: `Rate limit of this virtual key reached (${what}${admission.reason === 'tokens' ? `: ${admission.tokensInWindow} used and ${admission.reservedTokens} held by calls in flight, of ${key.tokensPerMinute}` : ''}). Try again in ${retryAfterSeconds} s.`,
        type: admission.reason === 'tokens' ? 'tokens' : 'requests',
        code: 'rate_limit_exceeded',
        headers: retryAfter,
      });
    }
  }
}

const UNAVAILABLE_MESSAGES = {
  limits:
    'The gateway cannot reach its shared limits store, and is set to refuse requests until it can (GOVERNANCE_ON_STORE_FAILURE=closed). Try again shortly.',
  key: 'The gateway cannot reach its shared store to look this virtual key up (keys made through the admin API live there), so it cannot admit it until it can. Try again shortly.',
  admin:
    'The gateway cannot reach its shared store, where admin-made keys, teams and their usage live, so it cannot answer this admin request until it can. Try again shortly.',
};

/**
 * What cannot be done while the shared store (Redis) does not answer: `limits`, a call's
 * admission, refused only under GOVERNANCE_ON_STORE_FAILURE=closed (`open` admits uncounted);
 * `key`, telling a key that may live only in the store from a wrong one; `admin`, the admin API's
 * reads and writes of the store. The last two are refused whatever the policy.
 */
export function governanceUnavailable(what: 'limits' | 'key' | 'admin'): GatewayError {
  return new GatewayError({
    status: 503,
    message: UNAVAILABLE_MESSAGES[what],
    type: 'api_error',
    code: 'governance_unavailable',
    headers: { 'retry-after': '1' },
  });
}
