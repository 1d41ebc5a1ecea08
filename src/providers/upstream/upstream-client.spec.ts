import { headerList } from './upstream-client';

describe('headerList', () => {
  it("puts the gateway's own headers first, then the extra ones, as undici's flat list", () => {
    expect(
      headerList(['authorization', 'Bearer k', 'accept', 'application/json'], {
        traceparent: '00-abc-def-01',
        tracestate: 'vendor=1',
      }),
    ).toEqual([
      'authorization',
      'Bearer k',
      'accept',
      'application/json',
      'traceparent',
      '00-abc-def-01',
      'tracestate',
      'vendor=1',
    ]);
  });

  it('keeps an own header over an extra one of the same name, whatever its case', () => {
    expect(
      headerList(['authorization', 'Bearer k'], { Authorization: 'Bearer other', b3: '1' }),
    ).toEqual(['authorization', 'Bearer k', 'b3', '1']);
  });

  it('is the own list alone when there is nothing extra', () => {
    expect(headerList(['accept', 'text/event-stream'], {})).toEqual([
      'accept',
      'text/event-stream',
    ]);
  });
});
