import type { ModelRouteConfig, RouteStrategy } from '../../config/model-routes-config';
import { PROBE_SHARE, RouteBalancer } from './route-balancer';

const route = (strategy: RouteStrategy): ModelRouteConfig => ({
  id: 'fast',
  strategy,
  targets: [
    { model: 'groq/a', upstreamModel: 'a', weight: 70 },
    { model: 'groq/b', upstreamModel: 'b', weight: 30 },
  ],
  fallbacks: [],
});

const ok = { status: 200, latencyMs: 50, headers: {} };
const failed = { status: 503, latencyMs: 50, headers: {} };

function setup(strategy: RouteStrategy) {
  let now = 1_000_000;
  const config = route(strategy);
  const balancer = new RouteBalancer(
    [config],
    { failureThreshold: 5, cooldownMs: 1000 },
    () => now,
  );
  return {
    balancer,
    config,
    advance: (ms: number) => (now += ms),
    share: (calls: number, outcomeOf: (model: string) => typeof ok = () => ok) => {
      const counts: Record<string, number> = { a: 0, b: 0 };
      for (let i = 0; i < calls; i++) {
        const [first] = balancer.plan(config);
        counts[first.upstreamModel]++;
        balancer.report(first.upstreamModel, outcomeOf(first.upstreamModel));
        now += 10;
      }
      return counts;
    },
  };
}

describe('RouteBalancer', () => {
  it('finds a route by groq/<id> or <id>, and nothing for a plain model', () => {
    const { balancer } = setup('weighted');
    expect(balancer.find('groq/fast')?.id).toBe('fast');
    expect(balancer.find('fast')?.id).toBe('fast');
    expect(balancer.find('groq/llama-3.1-8b-instant')).toBeUndefined();
  });

  it('weighted: exactly 70/30 over 100 calls; the others follow as the failover order', () => {
    const { balancer, config, share } = setup('weighted');
    expect(share(100)).toEqual({ a: 70, b: 30 });
    const plan = balancer.plan(config);
    expect(plan.map((t) => t.upstreamModel).sort()).toEqual(['a', 'b']);
  });

  it('adaptive: a failing target drains to its probe share, and gets traffic back once it recovers', () => {
    const { balancer, config, share, advance } = setup('adaptive');
    share(50);
    // b fails every call: within a few calls it keeps only about the probe share.
    share(100, (model) => (model === 'b' ? failed : ok));
    const drained = share(400, (model) => (model === 'b' ? failed : ok));
    const probe = (30 * PROBE_SHARE) / (70 + 30 * PROBE_SHARE);
    expect(drained.b / 400).toBeGreaterThan(0);
    expect(drained.b / 400).toBeLessThan(probe * 2);
    expect(balancer.status(config)[1].breaker).not.toBe('closed');
    // The fault stops: its probe calls succeed, its errors fade, its share comes back.
    advance(2000);
    share(200);
    advance(20_000);
    const recovered = share(200);
    expect(recovered.b / 200).toBeGreaterThan(0.2);
  });

  it('weighted and adaptive skip a target resting after a 429 until the rest ends', () => {
    const { balancer, share, advance } = setup('adaptive');
    balancer.report('a', { status: 429, latencyMs: 5, headers: { 'retry-after': '2' } });
    const restEnd = balancer.restingUntil('a');
    expect(share(20)).toEqual({ a: 0, b: 20 });
    advance(2500);
    expect(balancer.restingUntil('a')).toBe(restEnd);
    expect(share(100).a).toBeGreaterThan(50);
  });

  it('panics rather than refusing when every target rests: all are tried, in weight order', () => {
    const { balancer, config } = setup('weighted');
    balancer.rest('a', 10_000);
    balancer.rest('b', 10_000);
    expect(balancer.plan(config)).toHaveLength(2);
  });

  it('ordered: the first healthy target, the next once the first is out', () => {
    const { balancer, config } = setup('ordered');
    expect(balancer.plan(config).map((t) => t.upstreamModel)).toEqual(['a', 'b']);
    for (let i = 0; i < 5; i++) balancer.report('a', failed);
    expect(balancer.plan(config).map((t) => t.upstreamModel)).toEqual(['b', 'a']);
  });
});
