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
});
