import { GatewayError } from '../common/errors/gateway-error';
import { shuttingDownError } from '../common/errors/shutting-down';
import { RESPONSES_SSE, responsesErrorEvent } from './responses-sse-format';

describe('the error event the gateway ends a Responses stream with', () => {
  it('is numbered right after the last event the stream sent', () => {
    const event = responsesErrorEvent(shuttingDownError(), {
      type: 'response.output_text.delta',
      sequence_number: 7,
    });
    expect(event).toEqual({
      type: 'error',
      code: 'shutting_down',
      message: expect.stringContaining('shutting down') as string,
      param: null,
      sequence_number: 8,
    });
  });

  it('is number 0 when nothing was sent before it', () => {
    expect(responsesErrorEvent(shuttingDownError(), undefined).sequence_number).toBe(0);
  });

  it('is framed as an `event: error` with its number in the data', () => {
    const frame = RESPONSES_SSE.errorFrame(
      new GatewayError({ status: 502, message: 'cut', code: 'upstream_unreachable' }),
      { sequence_number: 2 },
    );
    expect(frame).toBe(
      'event: error\ndata: {"type":"error","code":"upstream_unreachable","message":"cut","param":null,"sequence_number":3}\n\n',
    );
  });
});
