import { freePort } from '../../bench/src/processes';
import { adminCall } from './support/access';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { auditLines, eventually } from './support/identity/audit-lines';
import { Browser } from './support/identity/browser';
import { OidcIdp, startOidcIdp } from './support/identity/oidc-idp';

const CLIENT_ID = 'groq-gateway';
const CLIENT_SECRET = 'oidc-client-secret-lifecycle-42';
const RECHECK_SECONDS = 2;
const IDLE_SECONDS = 10;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The life cycle of a signed-in user past the login (issue 20, item 4): personal access tokens
 * follow the IdP re-check (removed: all revoked; demoted: those above the new role or teams), and
 * a session left idle past `auth.sessions.idleSeconds` ends while one in use stays alive.
 */
describe('sign-in life cycle against a real OpenID Provider (node-oidc-provider)', () => {
  let idp: OidcIdp;
  let gateway: GatewayProcess;
  let base: string;

  async function signIn(user: string): Promise<{ browser: Browser; cookie: string; csrf: string }> {
    const browser = new Browser();
    const loginPage = await browser.get(`${base}/auth/login?provider=oidc`);
    const page = await browser.postForm(loginPage.url, { login: user });
    expect(page.status).toBe(200);
    return {
      browser,
      cookie: await browser.jar.getCookieString(base),
      csrf: (await browser.cookie(base, 'gw_session_csrf'))!,
    };
  }

  /** Makes a token with the session cookie (CSRF header and all); returns its secret and id. */
  async function tokenBySession(
    session: { cookie: string; csrf: string },
    body: Record<string, unknown>,
  ): Promise<{ id: string; token: string }> {
    const response = await fetch(`${base}/admin/tokens`, {
      method: 'POST',
      headers: {
        cookie: session.cookie,
        'x-csrf-token': session.csrf,
        origin: base,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { id: string; token: string };
    expect(response.status).toBe(201);
    return json;
  }

  const works = async (token: string) =>
    (await adminCall(base, 'GET', '/admin/tokens', token)).status;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOidcIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${base}/auth/callback/oidc`,
      users: {},
    });
    const config = `
auth:
  publicUrl: ${base}
  sessions: { ttlSeconds: 120, idleSeconds: ${IDLE_SECONDS}, cookieName: gw_session, recheckSeconds: ${RECHECK_SECONDS} }
  oidc:
    issuer: ${idp.issuer}
    clientId: ${CLIENT_ID}
    clientSecretEnv: OIDC_CLIENT_SECRET
    scopes: [openid, offline_access, email, profile, groups]
    rolesClaim: groups
  roleMappings:
    - { match: platform-admins, role: admin }
    - { match: search-devs, role: developer, teams: [search] }
teams:
  - { id: search, name: Search }
  - { id: ml, name: ML }
`;
    gateway = await startGateway({
      PORT: String(port),
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(config).path,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await idp?.stop();
  });

  it("follows the IdP re-check: a demoted user's tokens above the new role or teams go, a removed user's all go", async () => {
    await idp.setUser('erin', { email: 'erin@example.com', groups: ['platform-admins'] });
    const session = await signIn('erin');
    const adminToken = await tokenBySession(session, { name: 'ops', role: 'admin' });
    const searchToken = await tokenBySession(session, {
      name: 'search ci',
      role: 'developer',
      teams: ['search'],
    });
    const mlToken = await tokenBySession(session, { name: 'ml ci', role: 'viewer', teams: ['ml'] });
    // A token made by the admin token: it goes with its maker.
    const child = await adminCall(base, 'POST', '/admin/tokens', adminToken.token, {
      name: 'made by ops',
      role: 'developer',
      teams: ['search'],
    });
    expect(child.status).toBe(201);
    const childToken = child.json.token as string;
    for (const token of [adminToken, searchToken, mlToken])
      expect(await works(token.token)).toBe(200);
    expect(await works(childToken)).toBe(200);

    // Demoted at the IdP to a developer of team search.
    await idp.setUser('erin', { email: 'erin@example.com', groups: ['search-devs'] });
    await sleep(RECHECK_SECONDS * 1000 + 200);
    const me = await fetch(`${base}/auth/me`, { headers: { cookie: session.cookie } });
    expect(((await me.json()) as { role: string }).role).toBe('developer');
    expect(await works(adminToken.token)).toBe(401);
    expect(await works(childToken)).toBe(401);
    expect(await works(mlToken.token)).toBe(401);
    expect(await works(searchToken.token)).toBe(200);
    const listed = await adminCall(base, 'GET', '/admin/tokens?owner=erin', ADMIN_KEY);
    expect((listed.json.data as Array<{ id: string }>).map((t) => t.id)).toEqual([searchToken.id]);

    // Removed at the IdP: the session ends at its next re-check, and the last token with it.
    await idp.removeUser('erin');
    await sleep(RECHECK_SECONDS * 1000 + 200);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie: session.cookie } })).status).toBe(
      401,
    );
    expect(await works(searchToken.token)).toBe(401);
    await eventually(() => {
      const revocations = auditLines(gateway.output()).filter(
        (l) => l.action === 'token.revoke' && l.actor === 'erin',
      );
      return (
        revocations.some((l) => l.reason === 'recheck_demoted') &&
        revocations.some((l) => l.reason === 'recheck_removed')
      );
    });
    expect(gateway.output()).not.toContain(searchToken.token);
  }, 60_000);

  it('keeps a session used within its idle window and ends one left idle (401 at /auth/me)', async () => {
    await idp.setUser('frank', { email: 'frank@example.com', groups: ['search-devs'] });
    await idp.setUser('gina', { email: 'gina@example.com', groups: ['search-devs'] });
    const session = await signIn('frank');
    // Gina signs in and never comes back: her session ends idle with nobody asking.
    await signIn('gina');
    const me = () => fetch(`${base}/auth/me`, { headers: { cookie: session.cookie } });
    const started = Date.now();
    // Used every 2 s for longer than the idle timeout: alive throughout. (Every 4 s left a loaded CI
    // machine too little margin once: the last check read no session.)
    while (Date.now() - started < (IDLE_SECONDS + 6) * 1000) {
      expect((await me()).status).toBe(200);
      await sleep(2_000);
    }
    const stillAlive = await me();
    expect(stillAlive.status).toBe(200);
    const alive = (await stillAlive.json()) as { idleExpiresAt: string };
    expect(Date.parse(alive.idleExpiresAt)).toBeGreaterThan(Date.now() + (IDLE_SECONDS - 2) * 1000);
    // Then left alone past the idle timeout.
    await sleep(IDLE_SECONDS * 1000 + 1_000);
    const idle = await me();
    expect(idle.status).toBe(401);
    expect(((await idle.json()) as { error: { code: string } }).error.code).toBe('not_signed_in');
    // Gone for good: no later use brings it back.
    expect((await me()).status).toBe(401);
    // Each ending is audited once: Gina's by the gateway's sweep (no request of hers came),
    // Frank's by the sweep or by the request that found it over, whichever came first.
    const ends = (subject: string) =>
      auditLines(gateway.output()).filter(
        (line) => line.action === 'auth.session.end' && line.actor === subject,
      );
    await eventually(() => ends('gina').length > 0, 15_000);
    expect(ends('gina')).toEqual([
      expect.objectContaining({ reason: 'idle', requestId: 'session-sweep', outcome: 'ok' }),
    ]);
    expect(ends('frank')).toEqual([expect.objectContaining({ reason: 'idle', outcome: 'ok' })]);
  }, 60_000);
});
