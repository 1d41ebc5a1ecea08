import type { AlertMessage } from './alert-message';
import type { AlertChannel } from './channels/alert-channel';
import { DeliveryError } from './channels/delivery-error';
import { DeliveryQueue, type DeliveryReport } from './delivery-queue';

const message = { ruleId: 'r' } as AlertMessage;
const policy = { limit: 2, attempts: 3, backoffMs: 5, maxBackoffMs: 10, concurrency: 1 };

function channel(failures: Error[]): AlertChannel & { calls: number } {
  return {
    id: 'c',
    kind: 'webhook',
    calls: 0,
    async send() {
      this.calls++;
      const failure = failures.shift();
      if (failure) throw failure;
    },
  };
}

function run(queue: DeliveryQueue, target: AlertChannel): Promise<DeliveryReport> {
  return new Promise((resolve) => queue.enqueue(target, message, resolve));
}

describe('DeliveryQueue', () => {
  it('retries a failure that may pass, with backoff, and counts the message once', async () => {
    const counted: string[] = [];
    const queue = new DeliveryQueue(policy, (_m, _c, r) => counted.push(r.outcome));
    const target = channel([new DeliveryError('503', true), new DeliveryError('timeout', true)]);
    expect(await run(queue, target)).toEqual({
      channel: 'c',
      outcome: 'sent',
      attempts: 3,
      error: undefined,
    });
    expect(counted).toEqual(['sent']);
  });

  it('gives up after its attempts, and at once on a permanent failure or a refusal', async () => {
    const queue = new DeliveryQueue(policy, () => undefined);
    const always = channel([1, 2, 3, 4].map(() => new DeliveryError('503', true)));
    expect(await run(queue, always)).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(await run(queue, channel([new DeliveryError('400', false)]))).toMatchObject({
      outcome: 'failed',
      attempts: 1,
    });
    expect(await run(queue, channel([new DeliveryError('private', false, true)]))).toMatchObject({
      outcome: 'refused',
      attempts: 1,
    });
  });

  it('drops past its limit and says so', async () => {
    const counted: string[] = [];
    const queue = new DeliveryQueue(policy, (_m, _c, r) => counted.push(r.outcome));
    const hanging: AlertChannel = {
      id: 'h',
      kind: 'slack',
      send: () => new Promise(() => undefined),
    };
    expect(queue.enqueue(hanging, message)).toBe(true);
    expect(queue.enqueue(hanging, message)).toBe(true);
    expect(queue.enqueue(hanging, message)).toBe(false);
    expect(counted).toEqual(['dropped']);
    queue.close();
  });

  it("sends one alert's messages to a channel in order: a resolve waits for its firing's retries", async () => {
    const queue = new DeliveryQueue({ ...policy, limit: 10, concurrency: 4 }, () => undefined);
    const seen: string[] = [];
    // A receiver answering 503 to an alert's first attempts, as many as it is told.
    const failing: Record<string, number> = { errors: 2 };
    const receiver: AlertChannel = {
      id: 'hook',
      kind: 'webhook',
      async send(sent: AlertMessage) {
        const answer =
          (failing[sent.alertKey] = (failing[sent.alertKey] ?? 0) - 1) >= 0 ? 503 : 200;
        seen.push(`${sent.alertKey} ${sent.state} ${answer}`);
        if (answer === 503) throw new DeliveryError('503', true);
      },
    };
    const of = (alertKey: string, state: 'firing' | 'resolved') =>
      new Promise<DeliveryReport>((resolve) =>
        queue.enqueue(receiver, { ...message, alertKey, state }, resolve),
      );
    const sent = await Promise.all([of('errors', 'firing'), of('errors', 'resolved')]);
    expect(sent.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    expect(seen).toEqual([
      'errors firing 503',
      'errors firing 503',
      'errors firing 200',
      'errors resolved 200',
    ]);
    expect(queue.size).toBe(0);

    // A firing given up (its attempts spent) lets its resolve go; another alert never waits.
    failing.errors = 3;
    seen.length = 0;
    const given = await Promise.all([
      of('errors', 'firing'),
      of('errors', 'resolved'),
      of('slow', 'firing'),
    ]);
    expect(given.map((r) => r.outcome)).toEqual(['failed', 'sent', 'sent']);
    expect(seen).toEqual([
      'errors firing 503',
      'slow firing 200',
      'errors firing 503',
      'errors firing 503',
      'errors resolved 200',
    ]);
  });
});
