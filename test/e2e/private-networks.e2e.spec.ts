import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as http2Connect, ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import OpenAI from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { GroqEmulator } from '../emulator/emulator';
import { ForwardProxy } from './support/forward-proxy';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { GATEWAY_KEY, waitFor } from './support/stack';
import { TestCa } from './support/test-ca';

// Several tests start gateways of their own (each with other settings): generous per-test time.
jest.setTimeout(60_000);

const MODEL = 'groq/llama-3.3-70b-versatile';
const chatBody = (content = 'Hi') =>
  JSON.stringify({ model: MODEL, messages: [{ role: 'user', content }] });

async function chat(
  url: string,
  headers: Record<string, string> = {},
  content?: string,
): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: chatBody(content),
  });
}

/** One HTTP/2 request on a session; status and JSON body. */
function h2Post(session: ClientHttp2Session, path: string, body: string) {
  return new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/json',
    });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => resolve({ status, json: JSON.parse(text) as Record<string, unknown> }));
    stream.on('error', reject);
    stream.end(body);
  });
}

/** The serial number of the certificate a TLS server presents now. */
function presentedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('private networks: egress through a forward proxy, private CAs', () => {
  const ca = new TestCa();
  let emulator: GroqEmulator;
  let httpsEmulator: GroqEmulator;
  let proxy: ForwardProxy;
  let proxyUrl: string;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    await emulator.start();
    const server = ca.server('groq-private');
    httpsEmulator = new GroqEmulator({
      keys: [GATEWAY_KEY],
      tls: { cert: server.cert, key: server.key },
    });
    await httpsEmulator.start();
    proxy = new ForwardProxy();
    proxyUrl = await proxy.start();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all([emulator.stop(), httpsEmulator.stop(), proxy.stop()]);
  });

  async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
    const started = await startGateway({ GROQ_API_KEY: GATEWAY_KEY, ...env });
    gateways.push(started);
    return started;
  }

  it('routes upstream calls through HTTP_PROXY (CONNECT), with its credentials from a file', async () => {
    const credentials = join(ca.dir, 'proxy-url');
    writeFileSync(credentials, `${proxyUrl.replace('http://', 'http://relay:proxy-secret-7@')}\n`);
    const gw = await gateway({ GROQ_BASE_URL: emulator.url, HTTP_PROXY_FILE: credentials });
    const before = proxy.relayed.length;
    expect((await chat(gw.url)).status).toBe(200);
    const relayed = proxy.relayed.slice(before);
    expect(relayed).toEqual([
      {
        method: 'CONNECT',
        target: new URL(emulator.url).host,
        authorization: `Basic ${Buffer.from('relay:proxy-secret-7').toString('base64')}`,
      },
    ]);
    expect(gw.output()).not.toContain('proxy-secret-7');
  });

  it('NO_PROXY bypasses the proxy for the hosts it names', async () => {
    const gw = await gateway({
      GROQ_BASE_URL: emulator.url,
      HTTP_PROXY: proxyUrl,
      NO_PROXY: 'localhost,127.0.0.1',
    });
    const before = proxy.relayed.length;
    expect((await chat(gw.url)).status).toBe(200);
    expect(proxy.relayed.length).toBe(before);
  });

  it('trusts UPSTREAM_CA_FILE for a private HTTPS endpoint, directly and through a TLS proxy path', async () => {
    const untrusted = await gateway({ GROQ_BASE_URL: httpsEmulator.url, RETRY_MAX_ATTEMPTS: '1' });
    const refused = await chat(untrusted.url);
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'upstream_unreachable',
    );

    const direct = await gateway({
      GROQ_BASE_URL: httpsEmulator.url,
      UPSTREAM_CA_FILE: ca.certFile,
    });
    expect((await chat(direct.url)).status).toBe(200);

    const viaProxy = await gateway({
      GROQ_BASE_URL: httpsEmulator.url,
      HTTPS_PROXY: proxyUrl,
      UPSTREAM_CA_FILE: ca.certFile,
    });
    const before = proxy.relayed.length;
    expect((await chat(viaProxy.url)).status).toBe(200);
    expect(proxy.relayed.slice(before).map((r) => r.target)).toEqual([
      new URL(httpsEmulator.url).host,
    ]);
  });
});

describe('the HTTPS listener: TLS, HTTP/2, certificate rotation, mTLS, h2c', () => {
  const ca = new TestCa();
  let emulator: GroqEmulator;
  const gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    await emulator.start();
  });

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await emulator.stop();
  });

  async function gateway(env: Record<string, string>): Promise<GatewayProcess> {
    const started = await startGateway({
      GROQ_API_KEY: GATEWAY_KEY,
      GROQ_BASE_URL: emulator.url,
      ...env,
    });
    gateways.push(started);
    return started;
  }

  it('serves HTTPS to the OpenAI SDK (HTTP/1.1) and HTTP/2 by ALPN; rotates its certificate without dropping connections', async () => {
    const issued = ca.server('listener');
    const certFile = join(ca.dir, 'tls.crt');
    const keyFile = join(ca.dir, 'tls.key');
    copyFileSync(issued.certFile, certFile);
    copyFileSync(issued.keyFile, keyFile);
    const gw = await gateway({ TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile });
    expect(gw.url).toMatch(/^https:\/\//);
    const openai = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      fetchOptions: { dispatcher: new Agent({ connect: { ca: ca.cert } }) } as never,
    });
    const completion = await openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0].message.content).toBeTruthy();

    const session = http2Connect(gw.url, { ca: ca.cert });
    try {
      const first = await h2Post(session, '/v1/chat/completions', chatBody());
      expect(first.status).toBe(200);
      expect(session.alpnProtocol).toBe('h2');

      const port = Number(new URL(gw.url).port);
      const before = await presentedSerial(port, ca.cert);
      const renewed = ca.server('listener-renewed');
      copyFileSync(renewed.certFile, certFile);
      copyFileSync(renewed.keyFile, keyFile);
      await waitFor(() => gw.output().includes('TLS certificate reloaded'), 10_000);
      expect(await presentedSerial(port, ca.cert)).not.toBe(before);
      // The connection opened before the rotation still serves.
      const after = await h2Post(session, '/v1/chat/completions', chatBody());
      expect(after.status).toBe(200);
    } finally {
      session.close();
    }
  }, 40_000);

  it('mTLS: refuses a client without a certificate; names the subject of one with it', async () => {
    const server = ca.server('mtls');
    const client = ca.client('client-a', 'spiffe://cluster.local/ns/shop/sa/checkout');
    const gw = await gateway({
      TLS_CERT_FILE: server.certFile,
      TLS_KEY_FILE: server.keyFile,
      TLS_CLIENT_CA_FILE: ca.certFile,
    });
    const anonymous = new Agent({ connect: { ca: ca.cert } });
    await expect(
      undiciFetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chatBody(),
        dispatcher: anonymous,
      }),
    ).rejects.toThrow();
    const withCert = new Agent({ connect: { ca: ca.cert, cert: client.cert, key: client.key } });
    const answer = await undiciFetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chatBody(),
      dispatcher: withCert,
    });
    expect(answer.status).toBe(200);
    await waitFor(() =>
      gw.output().includes('"clientIdentity":"spiffe://cluster.local/ns/shop/sa/checkout"'),
    );
  });

  it('serves cleartext HTTP/2 (h2c) on H2C_PORT beside HTTP/1.1 on PORT', async () => {
    const gw = await gateway({ H2C_PORT: '0' });
    await waitFor(() => /h2c\) listening on port \d+/.test(gw.output()));
    const port = /h2c\) listening on port (\d+)/.exec(gw.output())?.[1];
    const session = http2Connect(`http://127.0.0.1:${port}`);
    try {
      const answer = await h2Post(session, '/v1/chat/completions', chatBody());
      expect(answer.status).toBe(200);
      expect(answer.json.object).toBe('chat.completion');
    } finally {
      session.close();
    }
    expect((await chat(gw.url)).status).toBe(200);
  });
});

describe('mesh awareness: B3, trusted proxies, client certs via XFCC, deadlines, mesh retries', () => {
  let emulator: GroqEmulator;
  let gw: GatewayProcess;
  let meshRetries: GatewayProcess;

  beforeAll(async () => {
    emulator = new GroqEmulator({ keys: [GATEWAY_KEY] });
    await emulator.start();
    const env = { GROQ_API_KEY: GATEWAY_KEY, GROQ_BASE_URL: emulator.url };
    [gw, meshRetries] = await Promise.all([
      startGateway({
        ...env,
        TRUSTED_PROXIES: '127.0.0.1/32,::1',
        MESH_CLIENT_CERT_HEADER: 'x-forwarded-client-cert',
      }),
      startGateway({ ...env, MESH_RETRIES: 'true' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([gw.stop(), meshRetries.stop()]);
    await emulator.stop();
  });

  const lastUpstreamHeaders = () => emulator.chatRequests().at(-1)?.headers ?? {};

  it('continues a B3 trace (single header and x-b3-*) to the upstream and into the access line', async () => {
    const traceId = '463ac35c9f6413ad48485a3953bb6124';
    expect((await chat(gw.url, { b3: `${traceId}-a2fb4a1d1a96d312-1` })).status).toBe(200);
    const single = String(lastUpstreamHeaders().b3);
    expect(single).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1-a2fb4a1d1a96d312$`));
    expect(String(lastUpstreamHeaders().traceparent)).toContain(traceId);

    const shortTrace = 'a3ce929d0e0e4736';
    expect(
      (
        await chat(gw.url, {
          'x-b3-traceid': shortTrace,
          'x-b3-spanid': '00f067aa0ba902b7',
          'x-b3-sampled': '1',
        })
      ).status,
    ).toBe(200);
    const headers = lastUpstreamHeaders();
    expect(headers['x-b3-traceid']).toBe(`0000000000000000${shortTrace}`);
    expect(headers['x-b3-parentspanid']).toBe('00f067aa0ba902b7');
    expect(headers['x-b3-spanid']).not.toBe('00f067aa0ba902b7');
    await waitFor(() => gw.output().includes(`"traceId":"${traceId}"`));
  });

  it('believes X-Forwarded-For, Forwarded and XFCC from a trusted proxy only', async () => {
    expect(
      (
        await chat(gw.url, {
          'x-forwarded-for': '203.0.113.7',
          'x-forwarded-client-cert':
            'By=spiffe://cluster.local/ns/gw/sa/gateway;Hash=abc;Subject="CN=checkout,O=Shop";URI=spiffe://cluster.local/ns/shop/sa/checkout',
        })
      ).status,
    ).toBe(200);
    await waitFor(() => gw.output().includes('"clientAddress":"203.0.113.7"'));
    expect(gw.output()).toContain('"clientIdentity":"spiffe://cluster.local/ns/shop/sa/checkout"');
    expect(
      (await chat(gw.url, { forwarded: 'for="[2001:db8::17]:4711";proto=https' })).status,
    ).toBe(200);
    await waitFor(() => gw.output().includes('"clientAddress":"2001:db8::17"'));
    // The other gateway trusts no proxy: the same headers name nobody.
    expect(
      (await chat(meshRetries.url, { 'x-forwarded-client-cert': 'URI=spiffe://forged' })).status,
    ).toBe(200);
    expect(meshRetries.output()).not.toContain('spiffe://forged');
  });

  it('walks Forwarded back past trusted proxies to the client, as X-Forwarded-For', async () => {
    for (const [headers, client] of [
      [{ 'x-forwarded-for': '198.51.100.7, 127.0.0.1' }, '198.51.100.7'],
      [{ forwarded: 'for=198.51.100.8, for=127.0.0.1' }, '198.51.100.8'],
      [{ forwarded: 'for=192.0.2.1, for="198.51.100.9:4711", for="[::1]:80"' }, '198.51.100.9'],
    ] as const) {
      expect((await chat(gw.url, headers)).status).toBe(200);
      await waitFor(() => gw.output().includes(`"clientAddress":"${client}"`));
    }
  });

  it('puts the mesh-verified identity and the forwarded address on audit lines', async () => {
    const governed = await startGateway({
      GROQ_API_KEY: GATEWAY_KEY,
      GROQ_BASE_URL: emulator.url,
      GATEWAY_ADMIN_KEY: 'admin-key-for-the-audit-identity-test',
      TRUSTED_PROXIES: '127.0.0.1/32,::1',
      MESH_CLIENT_CERT_HEADER: 'x-forwarded-client-cert',
    });
    try {
      const mesh = {
        'x-forwarded-for': '203.0.113.9',
        'x-forwarded-client-cert': 'Hash=abc;URI=spiffe://cluster.local/ns/shop/sa/cart',
      };
      // A call with no virtual key, and an admin call with a wrong key: both refused and audited.
      expect((await chat(governed.url, mesh)).status).toBe(401);
      const adminAnswer = await fetch(`${governed.url}/admin/keys`, {
        headers: { ...mesh, authorization: 'Bearer not-the-admin-key' },
      });
      expect(adminAnswer.status).toBe(401);
      // Admin actions that succeed carry them too, whichever admin service answers.
      for (const path of ['/admin/keys', '/admin/teams'])
        expect(
          (
            await fetch(`${governed.url}${path}`, {
              headers: { ...mesh, authorization: 'Bearer admin-key-for-the-audit-identity-test' },
            })
          ).status,
        ).toBe(200);
      const auditLines = () =>
        governed
          .output()
          .split('\n')
          .filter((line) => line.includes('"log":"audit"'))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
      await waitFor(() => auditLines().length >= 4);
      const caller = {
        client: '203.0.113.9',
        clientIdentity: 'spiffe://cluster.local/ns/shop/sa/cart',
      };
      for (const action of ['request', 'admin.auth'])
        expect(auditLines().find((line) => line.action === action)).toMatchObject({
          outcome: 'denied',
          ...caller,
        });
      for (const action of ['key.list', 'team.list'])
        expect(auditLines().find((line) => line.action === action)).toMatchObject({
          outcome: 'ok',
          ...caller,
        });
    } finally {
      await governed.stop();
    }
  });

  it("keeps a caller's 500 ms deadline against a slow upstream: 504 deadline_exceeded, no retry after it", async () => {
    const before = emulator.chatRequests().length;
    const started = Date.now();
    const answer = await chat(
      gw.url,
      { 'x-envoy-expected-rq-timeout-ms': '500' },
      'Hi [fault:slow=3000]',
    );
    const elapsed = Date.now() - started;
    expect(answer.status).toBe(504);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
      'deadline_exceeded',
    );
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(1_500);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(emulator.chatRequests().length - before).toBe(1);
  });

  it('starts no retry that would begin past the deadline', async () => {
    const before = emulator.chatRequests().length;
    emulator.queueFaults('503', '503', '503');
    const answer = await chat(gw.url, { 'x-request-timeout-ms': '60' });
    expect(answer.status).toBe(503);
    expect(emulator.chatRequests().length - before).toBe(1);
    emulator.reset();
  });

  it('MESH_RETRIES=true: a 5xx goes back to the mesh at once (it retries), not retried here', async () => {
    const before = emulator.chatRequests().length;
    emulator.queueFaults('503');
    const answer = await chat(meshRetries.url);
    expect(answer.status).toBe(503);
    expect(emulator.chatRequests().length - before).toBe(1);
    emulator.reset();
  });
});
