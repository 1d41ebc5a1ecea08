import { GatewayError } from '../common/errors/gateway-error';
import type { GuardrailStop } from './policy-runner';

/**
 * A refusal by a policy: the policy and category are named, the matched text never is. Input:
 * 400, nothing sent upstream. Output: the answer withheld, with `blockedStatus` (400, or 446).
 * A closed policy that could not run: 503 `guardrail_unavailable`.
 */
export function guardrailRefusal(stop: GuardrailStop, blockedStatus: number): GatewayError {
  if (stop.unavailable)
    return new GatewayError({
      status: 503,
      code: 'guardrail_unavailable',
      param: stop.param || null,
      message: `Guardrail policy '${stop.policy}' could not check the ${stop.stage} and fails closed; try again later.`,
      headers: { 'retry-after': '1' },
    });
  const what = stop.stage === 'input' ? 'The request was blocked' : 'The answer was withheld';
  return new GatewayError({
    status: stop.stage === 'input' ? 400 : blockedStatus,
    code: 'guardrail_blocked',
    param: stop.param || null,
    message: `${what} by guardrail policy '${stop.policy}' (category: ${stop.category}) on the ${stop.stage}${stop.param ? ` at ${stop.param}` : ''}.`,
  });
}

export function unknownPolicy(id: string, known: readonly string[]): GatewayError {
  return new GatewayError({
    status: 400,
    code: 'unknown_guardrail',
    param: 'x-gateway-guardrails',
    message: `Unknown guardrail policy '${id.slice(0, 64)}' in x-gateway-guardrails. Configured policies: ${known.length ? known.join(', ') : 'none'}.`,
  });
}
