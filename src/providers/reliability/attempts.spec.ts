import { firstValueFrom, Observable, of, throwError, toArray, concat } from 'rxjs';
import { GatewayError } from '../../common/errors/gateway-error';
import type { ErrorCode } from '../../common/errors/error-codes';
import { AttemptPlan, ServedBy, withRetriesAndFallbacks } from './attempts';

const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 1000 };
const failure = (status: number, code?: ErrorCode, headers: Record<string, string> = {}) =>
  new GatewayError({ status, message: `failed ${status}`, code, headers });

/** Candidates are model names; each attempt takes the next scripted outcome for that model. */
function plan(
  script: Record<string, Array<Observable<string>>>,
  extra: Partial<AttemptPlan<string, string>> = {},
) {
  const calls: Array<{ model: string; avoid: string[] }> = [];
  let keyCounter = 0;
  const served: ServedBy[] = [];
  const value: AttemptPlan<string, string> = {
    candidates: Object.keys(script),
    modelOf: (model) => model,
    attempt: (model, avoid) => {
      calls.push({ model, avoid: [...avoid] });
      const next = script[model].shift();
      if (!next) throw new Error(`no scripted outcome left for ${model}`);
      return { keyId: `k${++keyCounter}`, result: next };
    },
    anotherKeyReady: () => true,
    policy,
    onServed: (info) => served.push(info),
    random: () => 0.5,
    ...extra,
  };
  return { value, calls, served };
}

const run = (p: AttemptPlan<string, string>) =>
  firstValueFrom(withRetriesAndFallbacks(p).pipe(toArray()));

describe('withRetriesAndFallbacks', () => {
  it('retries a retryable failure, avoiding the key that failed, and reports attempts', async () => {
    const p = plan({ m: [throwError(() => failure(503)), of('ok')] });
    expect(await run(p.value)).toEqual(['ok']);
    expect(p.calls).toEqual([
      { model: 'm', avoid: [] },
      { model: 'm', avoid: ['k1'] },
    ]);
    expect(p.served).toEqual([{ model: 'm', keyId: 'k2', attempts: 2 }]);
  });

  it.each([400, 401, 403, 404, 413, 422])('never retries a %i', async (status) => {
    const p = plan({ m: [throwError(() => failure(status)), of('unused')] });
    await expect(run(p.value)).rejects.toMatchObject({ status });
    expect(p.calls).toHaveLength(1);
  });

  it('stops after maxAttempts with the last error when there is no fallback', async () => {
    const p = plan({
      m: [
        throwError(() => failure(500)),
        throwError(() => failure(502)),
        throwError(() => failure(503)),
      ],
    });
    await expect(run(p.value)).rejects.toMatchObject({ status: 503 });
    expect(p.calls).toHaveLength(3);
  });

  it('falls back to the next model after the retries, and reports the model that served', async () => {
    const p = plan({
      a: [
        throwError(() => failure(503)),
        throwError(() => failure(503)),
        throwError(() => failure(503)),
      ],
      b: [of('from b')],
    });
    expect(await run(p.value)).toEqual(['from b']);
    expect(p.served).toEqual([{ model: 'b', keyId: 'k4', attempts: 4 }]);
  });

  it('falls back at once for a model Groq does not serve', async () => {
    const p = plan({ a: [throwError(() => failure(404, 'model_not_found'))], b: [of('from b')] });
    expect(await run(p.value)).toEqual(['from b']);
    expect(p.calls.map((c) => c.model)).toEqual(['a', 'b']);
  });

  it("reports the primary's error when every fallback fails", async () => {
    const p = plan(
      { a: [throwError(() => failure(503))], b: [throwError(() => failure(500))] },
      { policy: { ...policy, maxAttempts: 1 } },
    );
    await expect(run(p.value)).rejects.toMatchObject({ status: 503 });
  });

  it('does not wait out a long retry-after when no other key is ready: it falls back', async () => {
    const p = plan(
      {
        a: [throwError(() => failure(429, 'rate_limit_exceeded', { 'retry-after': '60' }))],
        b: [of('b')],
      },
      { anotherKeyReady: () => false },
    );
    expect(await run(p.value)).toEqual(['b']);
  });

  it('never retries once a value has reached the subscriber', async () => {
    const p = plan({
      m: [
        concat(
          of('chunk 1'),
          throwError(() => failure(502)),
        ),
        of('unused'),
      ],
    });
    const seen: string[] = [];
    await expect(
      new Promise((resolve, reject) =>
        withRetriesAndFallbacks(p.value).subscribe({
          next: (v) => seen.push(v),
          error: reject,
          complete: () => resolve(undefined),
        }),
      ),
    ).rejects.toMatchObject({ status: 502 });
    expect(seen).toEqual(['chunk 1']);
    expect(p.calls).toHaveLength(1);
  });

  it('treats a throwing attempt (every key resting) as a failed attempt', async () => {
    let first = true;
    const p = plan({ m: [of('ok')] });
    const original = p.value.attempt;
    p.value.attempt = (model, avoid) => {
      if (first) {
        first = false;
        throw failure(429, 'rate_limit_exceeded', { 'retry-after': '0' });
      }
      return original(model, avoid);
    };
    expect(await run(p.value)).toEqual(['ok']);
    // Only the attempt that was sent counts.
    expect(p.served).toEqual([{ model: 'm', keyId: 'k1', attempts: 1 }]);
  });

  it('counts no attempt when no key could send one (a first try made outside)', async () => {
    const failed: ServedBy[] = [];
    const p = plan({ m: [] }, { onFailed: (info) => failed.push(info) });
    const resting = failure(429, 'rate_limit_exceeded', { 'retry-after': '30' });
    p.value.attempt = () => {
      throw resting;
    };
    p.value.anotherKeyReady = () => false;
    p.value.afterFirstFailure = { error: resting };
    await expect(run(p.value)).rejects.toBe(resting);
    expect(failed).toEqual([{ model: 'm', keyId: '', attempts: 0 }]);
  });

  it('cancels the attempt in flight when unsubscribed', () => {
    let cancelled = false;
    const p = plan({ m: [new Observable<string>(() => () => (cancelled = true))] });
    withRetriesAndFallbacks(p.value).subscribe().unsubscribe();
    expect(cancelled).toBe(true);
  });

  it('names the key, model and attempts under way when cut short from outside', () => {
    const failed: ServedBy[] = [];
    const p = plan(
      { m: [throwError(() => failure(503)), new Observable<string>()] },
      { onFailed: (info) => failed.push(info) },
    );
    // The second attempt is sent at once (policy delays of 1-5 ms are timers: wait them out).
    const subscription = withRetriesAndFallbacks({
      ...p.value,
      policy: { ...policy, baseDelayMs: 0, maxDelayMs: 0 },
    }).subscribe();
    return new Promise<void>((resolve) => {
      setTimeout(() => {
        subscription.unsubscribe();
        expect(failed).toEqual([{ model: 'm', keyId: 'k2', attempts: 2 }]);
        resolve();
      }, 20);
    });
  });

  it('reports nothing more once it has answered', async () => {
    const failed: ServedBy[] = [];
    const p = plan({ m: [of('ok')] }, { onFailed: (info) => failed.push(info) });
    expect(await run(p.value)).toEqual(['ok']);
    expect(failed).toEqual([]);
  });
});
