import { b3From, b3Headers } from './b3';
import { compile } from '@fastify/proxy-addr';
import { forwardedFor, xfccIdentity } from './client-identity';
import { deadlineFrom } from './deadline';
import { loadNetworkConfig } from '../config/load-network-config';

describe('B3', () => {
  it('reads the single header and the x-b3 family, padding 64-bit trace ids', () => {
    expect(
      b3From({ b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90' }),
    ).toEqual({
      traceId: '80f198ee56343ba864fe8b2a57d3eff7',
      parentId: 'e457b5a2e4d86bd1',
      flags: '01',
      style: 'single',
    });
    expect(
      b3From({
        'x-b3-traceid': 'a3ce929d0e0e4736',
        'x-b3-spanid': '00f067aa0ba902b7',
        'x-b3-sampled': '0',
      }),
    ).toEqual({
      traceId: '0000000000000000a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      flags: '00',
      style: 'multi',
    });
  });

  it('ignores what is not B3 (a sampling-only "0", bad hex, missing span)', () => {
    expect(b3From({ b3: '0' })).toBeUndefined();
    expect(b3From({ b3: 'xyz-123' })).toBeUndefined();
    expect(b3From({ 'x-b3-traceid': 'a3ce929d0e0e4736' })).toBeUndefined();
  });

  it('writes upstream headers in the caller style with the gateway span', () => {
    expect(b3Headers('single', 't'.repeat(32), 's'.repeat(16), 'p'.repeat(16), '01')).toEqual({
      b3: `${'t'.repeat(32)}-${'s'.repeat(16)}-1-${'p'.repeat(16)}`,
    });
    expect(b3Headers('multi', 'T', 'S', undefined, '00')).toEqual({
      'x-b3-traceid': 'T',
      'x-b3-spanid': 'S',
      'x-b3-sampled': '0',
    });
  });
});

describe('client identity headers', () => {
  it('takes the last XFCC element (the nearest hop), quoted values unquoted', () => {
    expect(
      xfccIdentity(
        'By=spiffe://a;URI=spiffe://first,By=spiffe://b;Subject="CN=checkout,O=Shop";URI=spiffe://cluster.local/ns/shop/sa/checkout',
      ),
    ).toEqual({
      source: 'mesh',
      subject: 'CN=checkout,O=Shop',
      uri: 'spiffe://cluster.local/ns/shop/sa/checkout',
    });
    expect(xfccIdentity('Hash=abc')).toBeUndefined();
  });

  it('reads Forwarded for= (IPv4 with port, bracketed IPv6), the last element', () => {
    expect(forwardedFor('for=192.0.2.60;proto=http;by=203.0.113.43')).toBe('192.0.2.60');
    expect(forwardedFor('for=198.51.100.1, for="[2001:db8:cafe::17]:4711"')).toBe(
      '2001:db8:cafe::17',
    );
    expect(forwardedFor('proto=https')).toBeUndefined();
  });

  it('walks Forwarded back past trusted proxies, as X-Forwarded-For is walked', () => {
    const trusted = compile(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(forwardedFor('for=7.7.7.7, for=127.0.0.1', trusted)).toBe('7.7.7.7');
    expect(
      forwardedFor('for=6.6.6.6, For="7.7.7.7:4711";proto=https, for=10.1.2.3;by=x', trusted),
    ).toBe('7.7.7.7');
    expect(forwardedFor('for="[2001:db8::17]:4711", for="[::1]:80"', trusted)).toBe('2001:db8::17');
    // What a client wrote before an untrusted hop is not believed.
    expect(forwardedFor('for=6.6.6.6, for=7.7.7.7, for=127.0.0.1', trusted)).toBe('7.7.7.7');
    // Every hop ours: the furthest; an obfuscated or unknown hop is where the walk stops.
    expect(forwardedFor('for=10.0.0.1, for=127.0.0.1', trusted)).toBe('10.0.0.1');
    expect(forwardedFor('for=6.6.6.6, for=_hidden, for=127.0.0.1', trusted)).toBe('_hidden');
    expect(forwardedFor('for=unknown, for="[::1]"', trusted)).toBe('unknown');
    // A hop that names no one: nothing before it is believed.
    expect(forwardedFor('for=6.6.6.6, proto=https, for=127.0.0.1', trusted)).toBe('127.0.0.1');
    expect(forwardedFor('for=6.6.6.6, proto=https', trusted)).toBeUndefined();
  });
});

describe('deadlines', () => {
  it('takes the shorter of the Envoy and generic headers; ignores nonsense', () => {
    expect(
      deadlineFrom(
        { 'x-envoy-expected-rq-timeout-ms': '500', 'x-request-timeout-ms': '900' },
        1000,
      ),
    ).toBe(1500);
    expect(deadlineFrom({ 'x-request-timeout-ms': '250' }, 0)).toBe(250);
    expect(deadlineFrom({ 'x-request-timeout-ms': '-1' }, 0)).toBeUndefined();
    expect(deadlineFrom({ 'x-request-timeout-ms': '1e3' }, 0)).toBeUndefined();
    expect(deadlineFrom({}, 0)).toBeUndefined();
  });
});

describe('loadNetworkConfig', () => {
  const noFiles = () => {
    throw Object.assign(new Error('no'), { code: 'ENOENT' });
  };

  it('reads the proxy variables in either case and NO_PROXY', () => {
    const config = loadNetworkConfig(
      {
        https_proxy: 'http://proxy:3128',
        NO_PROXY: 'localhost,.internal',
        TRUSTED_PROXIES: '10.0.0.0/8, ::1',
      },
      noFiles,
    );
    expect(config.egress).toMatchObject({
      httpsProxy: 'http://proxy:3128/',
      noProxy: 'localhost,.internal',
    });
    expect(config.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(config.meshRetries).toBe(false);
  });

  it.each([
    [{ TLS_CERT_FILE: '/c' }, 'TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together'],
    [{ TLS_CLIENT_CA_FILE: '/ca' }, 'TLS_CLIENT_CA_FILE: needs TLS_CERT_FILE'],
    [
      { TRUSTED_PROXIES: '10.0.0.0/33' },
      "TRUSTED_PROXIES: '10.0.0.0/33' is not an address or CIDR",
    ],
    [
      { HTTPS_PROXY: 'socks5://user:secret@proxy' },
      'HTTPS_PROXY: must be an http:// or https:// proxy URL',
    ],
    [{ UPSTREAM_CA_FILE: '/missing.pem' }, 'UPSTREAM_CA_FILE: cannot read /missing.pem (ENOENT)'],
    [{ MESH_RETRIES: 'maybe' }, 'MESH_RETRIES: must be true or false'],
  ])('refuses %j with one line naming the setting (never the value)', (env, message) => {
    expect(() => loadNetworkConfig(env, noFiles)).toThrow(message);
    try {
      loadNetworkConfig(env, noFiles);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
