import type { GuardrailPolicy } from './guardrails-config';
import { runStage, type PolicyResult, type PolicyRunner } from './policy-runner';
import { policyRunner } from './policy-runners';
import type { TextPart } from './text-parts';

const part = (text: string, param = 'messages[0].content'): TextPart => {
  const p: TextPart = { param, text, set: (t) => (p.text = t) };
  return p;
};
const seen: PolicyResult[] = [];
const call = { requestId: 'r1', observe: (r: PolicyResult) => seen.push(r) };
const judge = (
  id: string,
  answer: () => Promise<{ violated: boolean; category?: string }>,
  extra: Partial<GuardrailPolicy> = {},
): PolicyRunner => ({
  policy: {
    id,
    kind: 'webhook',
    stage: 'input',
    action: 'block',
    url: 'http://x',
    timeoutMs: 1,
    onError: 'open',
    headers: {},
    ...extra,
  } as GuardrailPolicy,
  judge: answer,
});
const noTransport = {
  moderate: () => Promise.reject(new Error('no')),
  webhook: () => Promise.reject(new Error('no')),
};

beforeEach(() => (seen.length = 0));

describe('runStage', () => {
  it('redacts in order, each detector reading what the one before left, and reports each', async () => {
    const runners = [
      policyRunner(
        { id: 'pii', kind: 'pii', stage: 'input', action: 'redact', entities: ['email'] },
        noTransport,
      ),
      policyRunner(
        { id: 'kw', kind: 'keywords', stage: 'input', action: 'flag', words: ['email'] },
        noTransport,
      ),
    ];
    const p = part('mail a@b.io now');
    const result = await runStage(runners, 'input', [p], call);
    expect(p.text).toBe('mail [EMAIL] now');
    expect(result.changed).toBe(true);
    expect(result.outcomes).toEqual([
      { policy: 'pii', stage: 'input', outcome: 'redacted', category: 'email' },
      { policy: 'kw', stage: 'input', outcome: 'flagged', category: 'keyword' },
    ]);
    expect(seen.map((r) => r.matched)).toEqual([['a@b.io'], ['EMAIL']]);
  });

  it('stops at the first block: later policies do not run and get no outcome', async () => {
    let judged = false;
    const runners = [
      policyRunner(
        { id: 'kw', kind: 'keywords', stage: 'input', action: 'block', words: ['secret'] },
        noTransport,
      ),
      judge('hook', () => {
        judged = true;
        return Promise.resolve({ violated: false });
      }),
    ];
    const result = await runStage(
      runners,
      'input',
      [part('ok'), part('a secret', 'messages[1].content')],
      call,
    );
    expect(result.stop).toEqual({
      policy: 'kw',
      category: 'keyword',
      param: 'messages[1].content',
      stage: 'input',
      unavailable: false,
    });
    expect(result.outcomes.map((o) => o.policy)).toEqual(['kw']);
    expect(judged).toBe(false);
  });

  it('runs judges in parallel; an open one that fails says error, a closed one stops the call', async () => {
    const started: string[] = [];
    const slow = (id: string) =>
      judge(id, async () => {
        started.push(id);
        await new Promise((resolve) => setTimeout(resolve, 30));
        return { violated: false };
      });
    const t0 = Date.now();
    const both = await runStage([slow('a'), slow('b')], 'input', [part('x')], call);
    expect(Date.now() - t0).toBeLessThan(55);
    expect(both.outcomes.map((o) => o.outcome)).toEqual(['pass', 'pass']);
    const failing = (onError: 'open' | 'closed') =>
      judge('f', () => Promise.reject(new Error('down')), { onError } as never);
    expect((await runStage([failing('open')], 'input', [part('x')], call)).outcomes).toEqual([
      { policy: 'f', stage: 'input', outcome: 'error' },
    ]);
    expect((await runStage([failing('closed')], 'input', [part('x')], call)).stop).toMatchObject({
      policy: 'f',
      unavailable: true,
    });
  });

  it('flagOnly turns block and redact into flagged', async () => {
    const runners = [
      policyRunner(
        { id: 'kw', kind: 'keywords', stage: 'output', action: 'block', words: ['x1'] },
        noTransport,
      ),
      judge('hook', () => Promise.resolve({ violated: true, category: 'bad' })),
    ];
    const p = part('has x1');
    const result = await runStage(runners, 'output', [p], call, true);
    expect(result.stop).toBeUndefined();
    expect(p.text).toBe('has x1');
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['flagged', 'flagged']);
  });
});
