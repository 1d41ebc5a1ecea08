import { freePort } from '../../bench/src/processes';
import { GatewayProcess, runGatewayToExit, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { auditLines, eventually } from './support/identity/audit-lines';
import { Browser } from './support/identity/browser';
import { OidcIdp, startOidcIdp } from './support/identity/oidc-idp';

const CLIENT_ID = 'groq-gateway';
const CLIENT_SECRET = 'oidc-client-secret-never-logged-7';
const TTL_SECONDS = 15;
const RECHECK_SECONDS = 2;

function authConfig(publicUrl: string, issuer: string): string {
  return `
auth:
  publicUrl: ${publicUrl}
  sessions: { ttlSeconds: ${TTL_SECONDS}, cookieName: gw_session, recheckSeconds: ${RECHECK_SECONDS} }
  oidc:
    issuer: ${issuer}
    clientId: ${CLIENT_ID}
    clientSecretEnv: OIDC_CLIENT_SECRET
    scopes: [openid, offline_access, email, profile, groups]
    rolesClaim: groups
  roleMappings:
    - { match: platform-admins, role: admin }
    - { match: search-devs, role: developer, teams: [search] }
    - { match: ml-devs, role: developer, teams: [ml] }
    - { match: finance, role: viewer }
`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sign-in with OIDC against a real OpenID Provider (node-oidc-provider)', () => {
  let idp: OidcIdp;
  let gateway: GatewayProcess;
  let base: string;
  let firstLoginAt = 0;

  /** Signs `user` in through the real redirect flow; returns the browser and the final page. */
  async function signIn(user: string, browser = new Browser()) {
    firstLoginAt ||= Date.now();
    const loginPage = await browser.get(`${base}/auth/login?provider=oidc`);
    expect(loginPage.status).toBe(200);
    expect(loginPage.url.startsWith(`${idp.issuer}/interaction/`)).toBe(true);
    const page = await browser.postForm(loginPage.url, { login: user });
    return { browser, page };
  }

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOidcIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${base}/auth/callback/oidc`,
      users: {
        alice: { email: 'alice@example.com', groups: ['platform-admins', 'search-devs'] },
        bob: { email: 'bob@example.com', groups: ['finance', 'ml-devs', 'search-devs'] },
        carol: { email: 'carol@example.com', groups: ['marketing'] },
      },
    });
    gateway = await startGateway({
      PORT: String(port),
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(authConfig(base, idp.issuer)).path,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await idp?.stop();
  });

  it('signs a user in through the redirect flow and maps groups to a role and teams', async () => {
    const { browser, page } = await signIn('bob');
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${base}/auth/me`);
    // gateway -> IdP authorize -> login page; then IdP -> gateway callback -> /auth/me.
    expect(page.redirects.some((u) => u.startsWith(`${base}/auth/callback/oidc?code=`))).toBe(true);
    const me = JSON.parse(page.text) as Record<string, unknown>;
    expect(me).toMatchObject({
      subject: 'bob',
      email: 'bob@example.com',
      role: 'developer',
      teams: ['search', 'ml'],
      provider: 'oidc',
    });
    expect(Date.parse(String(me.expiresAt)) - Date.now()).toBeLessThanOrEqual(TTL_SECONDS * 1000);
    expect(await browser.cookie(base, 'gw_session')).toMatch(/^[\w-]+\.[\w-]+$/);
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) =>
          l.action === 'auth.login' &&
          l.outcome === 'ok' &&
          l.actor === 'bob' &&
          l.role === 'developer',
      ),
    );
    expect(gateway.output()).not.toContain(CLIENT_SECRET);
  });

  it('sets the session cookie HttpOnly and SameSite=Lax (not Secure on loopback http)', async () => {
    const browser = new Browser();
    const login = await fetch(`${base}/auth/login?provider=oidc`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    const authorize = new URL(login.headers.get('location')!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/auth/callback/oidc`);
    const { page } = await signIn('alice', browser);
    expect(page.status).toBe(200);
    const cookies = await browser.jar.getCookies(base);
    const session = cookies.find((c) => c.key === 'gw_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('lax');
    expect(session.secure).toBe(false);
    expect(cookies.find((c) => c.key === 'gw_session_csrf')?.httpOnly).toBe(false);
    expect(JSON.parse(page.text)).toMatchObject({ subject: 'alice', role: 'admin', teams: [] });
  });

  it('refuses a user whose groups map to no role, and audits why', async () => {
    const { page } = await signIn('carol');
    expect(page.status).toBe(401);
    expect(JSON.parse(page.text).error).toMatchObject({
      code: 'login_failed',
      type: 'authentication_error',
    });
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) =>
          l.action === 'auth.login' &&
          l.outcome === 'denied' &&
          l.actor === 'carol' &&
          l.reason === 'no_role_mapping',
      ),
    );
  });

  it('refuses an ID token signed by another key, and an expired one', async () => {
    try {
      await idp.setTokenMode('forged');
      const forged = await signIn('alice');
      expect(forged.page.status).toBe(401);
      expect(JSON.parse(forged.page.text).error.code).toBe('login_failed');
      await idp.setTokenMode('expired');
      const expired = await signIn('alice');
      expect(expired.page.status).toBe(401);
      expect(JSON.parse(expired.page.text).error.message).toMatch(/exp/);
    } finally {
      await idp.setTokenMode('normal');
    }
    await eventually(() => {
      const reasons = auditLines(gateway.output())
        .filter((l) => l.action === 'auth.login' && l.outcome === 'denied')
        .map((l) => l.reason);
      return reasons.includes('id_token_signature') && reasons.includes('id_token_invalid');
    });
    // Neither attempt left a session behind.
    const sessions = await fetch(`${base}/admin/sessions?subject=alice`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const before = ((await sessions.json()) as { data: unknown[] }).data.length;
    expect(before).toBeLessThanOrEqual(1);
  });

  it('refuses a callback in a browser that did not start the login (login CSRF)', async () => {
    const attacker = new Browser();
    const started = await attacker.get(`${base}/auth/login?provider=oidc`);
    // The attacker finishes the IdP step, but the callback is replayed in the victim's browser.
    const response = await fetch(started.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: await attacker.jar.getCookieString(started.url),
      },
      body: 'login=alice',
    });
    let next = new URL(response.headers.get('location')!, started.url).href;
    const idpCookies = await attacker.jar.getCookieString(next);
    for (let hop = 0; !next.startsWith(`${base}/auth/callback`) && hop < 5; hop++) {
      const r = await fetch(next, { redirect: 'manual', headers: { cookie: idpCookies } });
      next = new URL(r.headers.get('location')!, next).href;
    }
    const victim = new Browser();
    const page = await victim.get(next);
    expect(page.status).toBe(401);
    expect(JSON.parse(page.text).error.message).toMatch(/state_mismatch/);
  });

  it('logs out: CSRF-checked, then the session is revoked and its cookie is worthless', async () => {
    const { browser } = await signIn('alice');
    const cookie = await browser.jar.getCookieString(base);
    const csrf = (await browser.cookie(base, 'gw_session_csrf'))!;

    const noToken = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const otherOrigin = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
    });
    expect(otherOrigin.status).toBe(403);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(200);

    const logout = await fetch(`${base}/auth/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, origin: base },
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().join()).toMatch(/gw_session=;.*Max-Age=0/);
    const after = await fetch(`${base}/auth/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe('not_signed_in');
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) => l.action === 'auth.logout' && l.actor === 'alice' && l.role === 'admin',
      ),
    );
    expect(
      auditLines(gateway.output()).some((l) => l.action === 'auth.csrf' && l.outcome === 'denied'),
    ).toBe(true);
  });

  it('re-checks at the IdP: a demoted user gets the new role, a removed user loses the session', async () => {
    await idp.setUser('dave', { email: 'dave@example.com', groups: ['search-devs'] });
    const { browser, page } = await signIn('dave');
    expect(JSON.parse(page.text)).toMatchObject({ role: 'developer', teams: ['search'] });
    const cookie = await browser.jar.getCookieString(base);

    await idp.setUser('dave', { email: 'dave@example.com', groups: ['finance'] });
    await sleep(RECHECK_SECONDS * 1000 + 200);
    const demoted = await fetch(`${base}/auth/me`, { headers: { cookie } });
    expect(((await demoted.json()) as Record<string, unknown>).role).toBe('viewer');

    await idp.removeUser('dave');
    await sleep(RECHECK_SECONDS * 1000 + 200);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(401);
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) => l.action === 'auth.session.end' && l.actor === 'dave' && l.reason === 'recheck',
      ),
    );
    expect(
      auditLines(gateway.output()).some(
        (l) =>
          l.action === 'auth.session.recheck' &&
          l.actor === 'dave' &&
          String(l.explanation).includes('developer -> viewer'),
      ),
    ).toBe(true);
  });

  it("lets an admin list and revoke a user's sessions", async () => {
    const { browser } = await signIn('bob');
    const cookie = await browser.jar.getCookieString(base);
    const auth = { authorization: `Bearer ${ADMIN_KEY}` };
    const listed = (await (
      await fetch(`${base}/admin/sessions?subject=bob`, { headers: auth })
    ).json()) as {
      data: Record<string, unknown>[];
    };
    expect(listed.data.length).toBeGreaterThanOrEqual(1);
    expect(listed.data[0]).toMatchObject({ subject: 'bob', role: 'developer', provider: 'oidc' });
    expect(JSON.stringify(listed)).not.toContain(
      (await browser.cookie(base, 'gw_session'))!.split('.')[1],
    );
    const mine = (await (await fetch(`${base}/auth/me`, { headers: { cookie } })).json()) as {
      sessionId: string;
    };
    expect((await fetch(`${base}/admin/sessions`, { headers: {} })).status).toBe(401);
    const revoked = await fetch(`${base}/admin/sessions/${mine.sessionId}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(revoked.status).toBe(204);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(401);
    const again = await fetch(`${base}/admin/sessions/${mine.sessionId}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(again.status).toBe(404);
  });

  it('admits a session on the admin API by its role, with CSRF on calls that change state', async () => {
    const admin = (await signIn('alice')).browser;
    const developer = (await signIn('bob')).browser;
    const adminCookie = await admin.jar.getCookieString(base);
    const csrf = (await admin.cookie(base, 'gw_session_csrf'))!;

    expect(
      (await fetch(`${base}/admin/sessions`, { headers: { cookie: adminCookie } })).status,
    ).toBe(200);
    const refused = await fetch(`${base}/admin/sessions`, {
      headers: { cookie: await developer.jar.getCookieString(base) },
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'permission_denied',
    );

    const noToken = await fetch(`${base}/admin/sessions/unknown-session-id`, {
      method: 'DELETE',
      headers: { cookie: adminCookie },
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const withToken = await fetch(`${base}/admin/sessions/unknown-session-id`, {
      method: 'DELETE',
      headers: { cookie: adminCookie, 'x-csrf-token': csrf },
    });
    expect(withToken.status).toBe(404);
    expect(((await withToken.json()) as { error: { code: string } }).error.code).toBe(
      'session_not_found',
    );
  });

  it('has no SAML routes when only OIDC is configured', async () => {
    expect((await fetch(`${base}/auth/saml/metadata`)).status).toBe(404);
    const acs = await fetch(`${base}/auth/callback/saml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=x&RelayState=y',
    });
    expect(acs.status).toBe(404);
    const login = await fetch(`${base}/auth/login?provider=saml`, { redirect: 'manual' });
    expect(login.status).toBe(400);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe(
      'unknown_provider',
    );
  });

  it('ends a session at its absolute expiry', async () => {
    const { browser, page } = await signIn('alice');
    expect(page.status).toBe(200);
    const cookie = await browser.jar.getCookieString(base);
    await sleep(TTL_SECONDS * 1000 + 500);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(401);
  }, 60_000);

  it('follows a rotated IdP signing key (JWKS fetched again for an unknown kid)', async () => {
    // openid-client (oauth4webapi) fetches the key set again for an unknown kid once its copy is
    // a minute old (a cool-down against floods of bogus kids): the copy is from the first login.
    await sleep(Math.max(0, firstLoginAt + 61_000 - Date.now()));
    await idp.restartWithNewKey('k2');
    const { page } = await signIn('alice');
    expect(page.status).toBe(200);
    expect(JSON.parse(page.text).role).toBe('admin');
  }, 120_000);
});

describe('without auth configured', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await startGateway({ GROQ_API_KEY: 'gsk_unused', GATEWAY_ADMIN_KEY: ADMIN_KEY });
  });
  afterAll(async () => gateway?.stop());

  it('has no /auth routes and no session admin', async () => {
    for (const path of [
      '/auth/me',
      '/auth/login?provider=oidc',
      '/auth/login?provider=saml',
      '/auth/saml/metadata',
      '/auth/callback/oidc',
    ])
      expect((await fetch(`${gateway.url}${path}`)).status).toBe(404);
    const acs = await fetch(`${gateway.url}/auth/callback/saml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=x&RelayState=y',
    });
    expect(acs.status).toBe(404);
    expect(((await acs.json()) as { error: { code: string } }).error.code).toBe('unknown_url');
    expect((await fetch(`${gateway.url}/auth/logout`, { method: 'POST' })).status).toBe(404);
    const sessions = await fetch(`${gateway.url}/admin/sessions`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(sessions.status).toBe(404);
  });

  it('refuses to start on a mistaken auth section, naming the setting', async () => {
    const config = writeGatewayConfig(`
auth:
  publicUrl: http://gateway.example.com
  oidc: { issuer: https://idp.example.com, clientId: gw }
  roleMappings: [{ match: admins, role: admin }]
`);
    const run = await runGatewayToExit({ GROQ_API_KEY: 'gsk_unused', GATEWAY_CONFIG: config.path });
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toMatch(/auth\.publicUrl: must be https:\/\//);
  });
});
