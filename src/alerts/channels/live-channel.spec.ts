import type { ChannelConfig } from '../../config/alerts-config';
import type { AlertMessage } from '../alert-message';
import type { AlertChannel } from './alert-channel';
import { LiveChannel } from './live-channel';

const message = { ruleId: 'r' } as AlertMessage;

/** Channels made by the live channel: which secret each sent with, and which were closed. */
function factory() {
  const sent: string[] = [];
  const closed: string[] = [];
  const gates: Array<() => void> = [];
  let hold = false;
  const make = (config: ChannelConfig): AlertChannel => {
    const secret = (config as { secret: string }).secret;
    return {
      id: config.id,
      kind: config.kind,
      send: async () => {
        if (hold) await new Promise<void>((resolve) => gates.push(resolve));
        sent.push(secret);
      },
      close: () => {
        closed.push(secret);
        return Promise.resolve();
      },
    };
  };
  return {
    make,
    sent,
    closed,
    gates,
    holdSends: (on: boolean) => (hold = on),
  };
}

const hook = (secret: string): ChannelConfig => ({
  id: 'hook',
  kind: 'webhook',
  url: 'https://hooks.example.com/gw',
  secret,
});

describe('LiveChannel', () => {
  it('sends with the newest configuration once a secret changed', async () => {
    const f = factory();
    const channel = new LiveChannel(hook('old-secret-0123456789'), f.make);
    await channel.send(message);
    expect(channel.update(hook('old-secret-0123456789'))).toBe(false);
    expect(channel.update(hook('new-secret-0123456789'))).toBe(true);
    await channel.send(message);
    expect(f.sent).toEqual(['old-secret-0123456789', 'new-secret-0123456789']);
    // Nothing was in flight on the old one: closed at once.
    expect(f.closed).toEqual(['old-secret-0123456789']);
    expect(channel.id).toBe('hook');
  });

  it('closes the old channel only once its sends in flight have ended', async () => {
    const f = factory();
    const channel = new LiveChannel(hook('old-secret-0123456789'), f.make);
    f.holdSends(true);
    const sending = channel.send(message);
    channel.update(hook('new-secret-0123456789'));
    expect(f.closed).toEqual([]);
    f.gates.shift()?.();
    await sending;
    await Promise.resolve();
    expect(f.closed).toEqual(['old-secret-0123456789']);
    f.holdSends(false);
    await channel.close();
    expect(f.closed).toEqual(['old-secret-0123456789', 'new-secret-0123456789']);
  });
});
