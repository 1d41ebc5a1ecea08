import type { GatewayError } from '../common/errors/gateway-error';
import { typedEventFrame, type SseFormat } from '../sse/sse-format';
import type { ResponsesStreamEvent } from './responses-types';

/**
 * The `error` event of a Responses stream ended by the gateway itself (shutdown's grace over):
 * numbered after the stream's last event, as every Responses event is (`sequence_number`).
 */
export function responsesErrorEvent(error: GatewayError, last: unknown): ResponsesStreamEvent {
  const previous = (last as { sequence_number?: unknown } | undefined)?.sequence_number;
  return {
    type: 'error',
    code: error.code,
    message: error.message,
    param: error.param,
    sequence_number: typeof previous === 'number' ? previous + 1 : 0,
  };
}

/** Responses events on the wire: `event: <type>` and `data:`; no `[DONE]`. */
export const RESPONSES_SSE: SseFormat = {
  frame: typedEventFrame,
  errorFrame: (error, last) => typedEventFrame(responsesErrorEvent(error, last)),
};
