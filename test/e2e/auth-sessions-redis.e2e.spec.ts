import { freePort } from '../../bench/src/processes';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { Browser } from './support/identity/browser';
import { OidcIdp, startOidcIdp } from './support/identity/oidc-idp';
import { RedisServer, startRedisServer } from './support/redis-server';

const CLIENT_SECRET = 'oidc-client-secret-for-replicas-1';

/**
 * Two replicas behind one public URL (as behind a load balancer) sharing one real redis-server:
 * a login on one is a session on the other, and a logout or revocation on one ends it on both.
 */
describe('sessions across two replicas on one Redis', () => {
  let redis: RedisServer;
  let idp: OidcIdp;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let publicUrl: string;

  beforeAll(async () => {
    redis = await startRedisServer('redis-password-for-sessions-9');
    const portA = await freePort();
    // The IdP redirects to replica A; cookies are for 127.0.0.1 whatever the port, like one host.
    publicUrl = `http://127.0.0.1:${portA}`;
    idp = await startOidcIdp({
      clientId: 'groq-gateway',
      clientSecret: CLIENT_SECRET,
      redirectUri: `${publicUrl}/auth/callback/oidc`,
      users: { alice: { email: 'alice@example.com', groups: ['platform-admins'] } },
    });
    const config = writeGatewayConfig(`
auth:
  publicUrl: ${publicUrl}
  oidc:
    issuer: ${idp.issuer}
    clientId: groq-gateway
    clientSecretEnv: OIDC_CLIENT_SECRET
    scopes: [openid, offline_access, email, groups]
  roleMappings:
    - { match: platform-admins, role: admin }
`);
    const env = {
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: config.path,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      REDIS_URL: redis.url,
    };
    [a, b] = await Promise.all([startGateway({ ...env, PORT: String(portA) }), startGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await idp?.stop();
    await redis?.stop();
  });

  async function signIn(): Promise<Browser> {
    const browser = new Browser();
    // The login starts on replica B: its pending state is in Redis, the callback lands on A.
    const login = await browser.get(`${b.url}/auth/login?provider=oidc`);
    const page = await browser.postForm(login.url, { login: 'alice' });
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${a.url}/auth/me`);
    return browser;
  }

  it('signs in on one replica and is signed in on the other; logout on one ends it on both', async () => {
    const browser = await signIn();
    const cookie = await browser.jar.getCookieString(a.url);
    const csrf = (await browser.cookie(a.url, 'gw_session_csrf'))!;
    const onB = await fetch(`${b.url}/auth/me`, { headers: { cookie } });
    expect(onB.status).toBe(200);
    expect(await onB.json()).toMatchObject({ subject: 'alice', role: 'admin' });
    // The session works on B's admin API too.
    expect((await fetch(`${b.url}/admin/sessions`, { headers: { cookie } })).status).toBe(200);

    const logout = await fetch(`${a.url}/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(logout.status).toBe(204);
    expect((await fetch(`${b.url}/auth/me`, { headers: { cookie } })).status).toBe(401);
    expect((await fetch(`${a.url}/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('an admin revoking on one replica ends the session on the other', async () => {
    const browser = await signIn();
    const cookie = await browser.jar.getCookieString(a.url);
    const me = (await (await fetch(`${b.url}/auth/me`, { headers: { cookie } })).json()) as {
      sessionId: string;
    };
    const listed = (await (
      await fetch(`${b.url}/admin/sessions`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as { data: { id: string }[] };
    expect(listed.data.map((s) => s.id)).toContain(me.sessionId);
    const revoked = await fetch(`${a.url}/admin/sessions/${me.sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(revoked.status).toBe(204);
    expect((await fetch(`${b.url}/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('answers 503 auth_unavailable, not a sign-out, while Redis is down', async () => {
    const browser = await signIn();
    const cookie = await browser.jar.getCookieString(a.url);
    await redis.stop();
    try {
      const down = await fetch(`${b.url}/auth/me`, { headers: { cookie } });
      expect(down.status).toBe(503);
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe(
        'auth_unavailable',
      );
    } finally {
      await redis.restart();
    }
  });
});
