import { traceFrom, traceHeaders, upstreamTraceparent } from './trace-context';

describe('trace context', () => {
  it('continues a valid traceparent with a new span for the gateway', () => {
    const trace = traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'a=1');
    expect(trace).toMatchObject({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '01',
      tracestate: 'a=1',
    });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe(trace.parentId);
    expect(upstreamTraceparent(trace)).toBe(
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${trace.spanId}-01`,
    );
    expect(traceHeaders(trace)).toEqual({
      traceparent: upstreamTraceparent(trace),
      tracestate: 'a=1',
    });
  });

  it.each([
    ['garbage'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    [undefined],
  ])('starts a new trace for %s', (header) => {
    const trace = traceFrom(header, 'ignored=1');
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parentId).toBeUndefined();
    expect(trace.tracestate).toBeUndefined();
  });

  it.each([
    ['over 512 characters', `a=${'x'.repeat(520)}`],
    ['non-ASCII', 'a=é'],
    ['a tab', 'a=1\tb=2'],
  ])('drops a tracestate that is %s instead of forwarding it', (_name, tracestate) => {
    const trace = traceFrom('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate);
    expect(trace.tracestate).toBeUndefined();
    expect(traceHeaders(trace)).not.toHaveProperty('tracestate');
  });
});
