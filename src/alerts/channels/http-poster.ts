import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { DeliveryError, checkStatus } from './delivery-error';
import { isPrivateAddress } from './private-address';

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const PRIVATE_REFUSED =
  'refused: the channel URL resolves to a loopback, link-local or private address (set alerts.allowPrivateNetworks: true to allow it)';

/**
 * Posts alert bodies over HTTP with its own connection pool (never the one to Groq). Unless
 * private networks are allowed, the address every connection goes to is checked after DNS
 * resolution, inside the connect step itself: a name that resolves to 127.0.0.1 or
 * 169.254.169.254 is refused, and no second lookup can swap the address after the check.
 */
export class HttpPoster {
  private readonly agent: Agent;

  constructor(
    private readonly allowPrivateNetworks: boolean,
    private readonly timeoutMs = 10_000,
  ) {
    this.agent = new Agent({
      connections: 8,
      connect: allowPrivateNetworks ? {} : { lookup: guardedLookup },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** Sends `body`; resolves on a 2xx, throws a DeliveryError otherwise. */
  async post(url: string, body: string, headers: Record<string, string>): Promise<string> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    // An IP literal never goes through a lookup: checked here.
    if (!this.allowPrivateNetworks && isIP(host) && isPrivateAddress(host)) {
      throw new DeliveryError(PRIVATE_REFUSED, false, true);
    }
    let response;
    try {
      response = await request(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'groq-gateway-alerts',
          ...headers,
        },
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
      if (cause.code === 'EPRIVATEADDRESS' || cause.cause?.code === 'EPRIVATEADDRESS') {
        throw new DeliveryError(PRIVATE_REFUSED, false, true);
      }
      const code = cause.code ?? cause.cause?.code ?? cause.name;
      throw new DeliveryError(`could not reach the receiver (${code})`, true);
    }
    const text = await response.body.text().catch(() => '');
    checkStatus(response.statusCode, text);
    return text;
  }

  /** Drops deliveries still in flight: shutdown never waits on a slow receiver. */
  async close(): Promise<void> {
    await this.agent.destroy().catch(() => undefined);
  }
}

/** dns.lookup, refusing private answers: the address checked is the address connected to. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const list = addresses as LookupAddress[];
    if (list.length === 0 || list.some((a) => isPrivateAddress(a.address))) {
      const refused: NodeJS.ErrnoException = new Error(PRIVATE_REFUSED);
      refused.code = 'EPRIVATEADDRESS';
      return callback(refused, []);
    }
    if (options.all) return callback(null, list);
    return callback(null, list[0].address, list[0].family);
  });
}
