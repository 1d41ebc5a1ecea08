import type { GatewayError } from '../common/errors/gateway-error';

/**
 * How a conversion ends a stream whose failure it has already told the client in its own event
 * (Responses' `error` or `response.failed`, Anthropic's `error`): as an error rather than a
 * completion, so SseWriter records the failure on the call as it does chat's, and writes no
 * frame of its own after the conversion's.
 */
export class InBandFailure extends Error {
  constructor(readonly failure: GatewayError) {
    super(failure.message);
    this.name = 'InBandFailure';
  }
}
