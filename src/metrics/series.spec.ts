import { Counter, Histogram, Registry } from 'prom-client';
import { counterSeries, histogramSeries } from './series';

/** Two identical registries: one updated through prom-client, one through the series. */
function pair() {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'h',
      labelNames: ['route', 'stream'],
      buckets: [0.01, 0.1, 1],
      registers: [registry],
    });
    const counter = new Counter({
      name: 'c_total',
      help: 'c',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    return { registry, histogram, counter };
  };
  return { reference: make(), fast: make() };
}

describe('counterSeries and histogramSeries', () => {
  it("expose exactly what prom-client's own updates expose", async () => {
    const { reference, fast } = pair();
    const values = [0.005, 0.05, 0.5, 5, 0.1, 0.01, 1];
    const labels = { route: '/v1/chat/completions', stream: 'false' };
    const counted = { route: '/v1/chat/completions', status: '200' };
    const observe = histogramSeries(fast.histogram, labels);
    const inc = counterSeries(fast.counter, counted);
    for (const value of values) {
      reference.histogram.observe(labels, value);
      observe.observe(value);
      reference.counter.inc(counted);
      inc.inc();
    }
    reference.counter.inc(counted, 2.5);
    inc.inc(2.5);
    expect(await fast.registry.metrics()).toBe(await reference.registry.metrics());
  });

  it('makes no series before its first update, and finds its series again after a reset', async () => {
    const { fast } = pair();
    const observe = histogramSeries(fast.histogram, { route: '/x', stream: 'true' });
    expect(await fast.registry.metrics()).not.toContain('route="/x"');
    observe.observe(0.2);
    fast.histogram.reset();
    observe.observe(0.3);
    const text = await fast.registry.metrics();
    expect(text).toContain('h_seconds_count{route="/x",stream="true"} 1');
    expect(text).toContain('h_seconds_sum{route="/x",stream="true"} 0.3');
  });

  it('refuses what prom-client refuses (a negative increment)', () => {
    const { fast } = pair();
    const inc = counterSeries(fast.counter, { route: '/x', status: '200' });
    inc.inc();
    expect(() => inc.inc(-1)).toThrow();
  });
});
