import { freePort } from '../../bench/src/processes';
import { roleCases, ROLES, type Role, type RouteAccess } from './support/access';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { auditLines, eventually } from './support/identity/audit-lines';
import { Browser, type Page } from './support/identity/browser';
import { readPostForm, SamlIdp, type AnswerOptions } from './support/identity/saml-idp';
import { RedisServer, startRedisServer } from './support/redis-server';

const RECHECK_SECONDS = 3;

function authConfig(publicUrl: string, idp: SamlIdp, recheckSeconds = 900): string {
  return `
auth:
  publicUrl: ${publicUrl}
  sessions: { ttlSeconds: 600, cookieName: gw_session, recheckSeconds: ${recheckSeconds} }
  saml:
    entryPoint: ${idp.ssoUrl}
    issuer: groq-gateway
    idpCertFile: ${idp.signing.certFile}
    rolesAttribute: memberOf
  roleMappings:
    - { match: platform-admins, role: admin }
    - { match: search-devs, role: developer, teams: [search] }
    - { match: finance, role: viewer }
    - { match: auditors, role: auditor }
teams:
  - { id: search, name: Search }
`;
}

function startIdp(): Promise<SamlIdp> {
  const idp = new SamlIdp();
  idp.setUser('alice', { email: 'alice@example.com', groups: ['platform-admins', 'search-devs'] });
  idp.setUser('bob', { email: 'bob@example.com', groups: ['search-devs', 'finance'] });
  idp.setUser('carol', { email: 'carol@example.com', groups: ['marketing'] });
  idp.setUser('fred', { email: 'fred@example.com', groups: ['finance'] });
  idp.setUser('dora', { email: 'dora@example.com', groups: ['auditors'] });
  return idp.start();
}

/**
 * A browser signing in: GET /auth/login?provider=saml (302 to the IdP with the AuthnRequest),
 * the IdP's auto-post page, then the form posted to the ACS like the page's script would.
 */
async function samlSignIn(
  base: string,
  idp: SamlIdp,
  user: string,
  options: AnswerOptions = {},
  browser = new Browser(),
): Promise<{ browser: Browser; page: Page; form: Record<string, string>; acs: string }> {
  idp.answer(user, options);
  const idpPage = await browser.get(`${base}/auth/login?provider=saml`);
  expect(idpPage.status).toBe(200);
  expect(idpPage.url.startsWith(idp.ssoUrl)).toBe(true);
  const { action, fields } = readPostForm(idpPage.text);
  const page = await browser.postForm(action, fields);
  return { browser, page, form: fields, acs: action };
}

function errorOf(page: Page): { code: string; message: string; type: string } {
  return (JSON.parse(page.text) as { error: { code: string; message: string; type: string } })
    .error;
}

describe('sign-in with SAML 2.0 against an IdP built in the test (signed with its own key)', () => {
  let idp: SamlIdp;
  let gateway: GatewayProcess;
  let base: string;

  beforeAll(async () => {
    idp = await startIdp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startGateway({
      PORT: String(port),
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(authConfig(base, idp, RECHECK_SECONDS)).path,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await idp?.stop();
  });

  /** The reasons of the refused SAML logins audited so far. */
  const deniedReasons = () =>
    auditLines(gateway.output())
      .filter((l) => l.action === 'auth.login' && l.outcome === 'denied' && l.provider === 'saml')
      .map((l) => l.reason);

  it('signs a user in: signed assertion -> session, attributes mapped to a role and teams', async () => {
    const { browser, page } = await samlSignIn(base, idp, 'bob');
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${base}/auth/me`);
    expect(page.redirects).toContain(`${base}/auth/callback/saml`);
    expect(JSON.parse(page.text)).toMatchObject({
      subject: 'bob',
      email: 'bob@example.com',
      role: 'developer',
      teams: ['search'],
      provider: 'saml',
    });
    const cookies = await browser.jar.getCookies(base);
    const session = cookies.find((c) => c.key === 'gw_session')!;
    expect(session.httpOnly).toBe(true);
    expect(session.sameSite).toBe('lax');
    // The AuthnRequest named this gateway and its ACS URL.
    const request = idp.requests.at(-1)!;
    expect(request).toMatchObject({ acsUrl: `${base}/auth/callback/saml`, issuer: 'groq-gateway' });
    expect(request.id).toMatch(/^_[0-9a-f]{40}$/);
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) =>
          l.action === 'auth.login' &&
          l.outcome === 'ok' &&
          l.provider === 'saml' &&
          l.actor === 'bob' &&
          l.role === 'developer',
      ),
    );
  });

  it('admits SAML sessions on the admin API by their mapped role', async () => {
    const admin = (await samlSignIn(base, idp, 'alice')).browser;
    const developer = (await samlSignIn(base, idp, 'bob')).browser;
    const adminCookie = await admin.jar.getCookieString(base);
    const developerCookie = await developer.jar.getCookieString(base);
    expect(JSON.parse((await admin.get(`${base}/auth/me`)).text)).toMatchObject({
      role: 'admin',
      teams: [],
    });
    const listed = await fetch(`${base}/admin/sessions`, { headers: { cookie: adminCookie } });
    expect(listed.status).toBe(200);
    const sessions = ((await listed.json()) as { data: { provider: string }[] }).data;
    expect(sessions.some((s) => s.provider === 'saml')).toBe(true);
    const refused = await fetch(`${base}/admin/sessions`, { headers: { cookie: developerCookie } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'permission_denied',
    );
    // The developer sees its team's keys (the teams came from the SAML attribute).
    expect(
      (await fetch(`${base}/admin/keys`, { headers: { cookie: developerCookie } })).status,
    ).toBe(200);
  });

  it.each<[string, AnswerOptions, string, RegExp]>([
    ['an unsigned response', { sign: 'none' }, 'saml_unsigned', /nor its assertion is signed/],
    [
      'a response signed without its assertion',
      { sign: 'response' },
      'saml_unsigned',
      /assertion is not signed/,
    ],
    ['an assertion signed by another key', { otherKey: true }, 'saml_signature', /idpCertFile/],
    [
      'both signed by another key',
      { otherKey: true, sign: 'both' },
      'saml_signature',
      /idpCertFile/,
    ],
    [
      'a wrong audience',
      { audience: 'another-service-provider' },
      'saml_audience',
      /audience mismatch/,
    ],
    [
      'a wrong recipient',
      { recipient: 'https://elsewhere.example/acs' },
      'saml_recipient',
      /Recipient is 'https:\/\/elsewhere\.example\/acs'/,
    ],
    [
      'a wrong destination',
      { destination: 'https://elsewhere.example/acs' },
      'saml_recipient',
      /Destination is 'https:\/\/elsewhere\.example\/acs'/,
    ],
    ['an expired assertion', { validForSeconds: -30 }, 'saml_expired', /expired/],
    [
      'an answer to another request',
      { inResponseTo: '_not-the-request-this-login-sent' },
      'saml_in_response_to',
      /InResponseTo/,
    ],
  ])(
    'refuses %s (%s), audited with the reason, no session',
    async (_name, options, reason, detail) => {
      const { browser, page } = await samlSignIn(base, idp, 'alice', options);
      expect(page.status).toBe(401);
      const error = errorOf(page);
      expect(error).toMatchObject({ code: 'login_failed', type: 'authentication_error' });
      expect(error.message).toContain(`(${reason})`);
      expect(error.message).toMatch(detail);
      expect(error.message).toMatch(/Start again at GET \/auth\/login/);
      expect(page.text).not.toMatch(/\n\s+at /);
      expect(await browser.cookie(base, 'gw_session')).toBeUndefined();
      await eventually(() => deniedReasons().includes(reason));
    },
  );

  it('refuses a response posted twice (replay), even with a fresh login of its own', async () => {
    const first = await samlSignIn(base, idp, 'alice');
    expect(first.page.status).toBe(200);
    // The same response again, from the same browser.
    const again = await first.browser.postForm(first.acs, first.form);
    expect(again.status).toBe(401);
    expect(errorOf(again).message).toContain('(saml_replayed)');
    // An attacker who captured it starts a login of their own and posts it with that state.
    const attacker = new Browser();
    const started = await attacker.get(`${base}/auth/login?provider=saml`);
    const { fields } = readPostForm(started.text);
    const replayed = await attacker.postForm(first.acs, {
      SAMLResponse: first.form.SAMLResponse,
      RelayState: fields.RelayState,
    });
    expect(replayed.status).toBe(401);
    expect(errorOf(replayed).message).toContain('(saml_replayed)');
    expect(await attacker.cookie(base, 'gw_session')).toBeUndefined();
    await eventually(() => deniedReasons().includes('saml_replayed'));
  });

  it('refuses a user whose attribute maps to no role', async () => {
    const { page } = await samlSignIn(base, idp, 'carol');
    expect(page.status).toBe(401);
    expect(errorOf(page).message).toContain('(no_role_mapping)');
    expect(errorOf(page).message).toContain("attribute 'memberOf'");
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) => l.action === 'auth.login' && l.actor === 'carol' && l.reason === 'no_role_mapping',
      ),
    );
  });

  it('ties the response to the browser that started the login (RelayState and its cookie)', async () => {
    const attacker = new Browser();
    idp.answer('alice');
    const started = await attacker.get(`${base}/auth/login?provider=saml`);
    const { action, fields } = readPostForm(started.text);
    // The attacker's finished login, posted from the victim's browser (login CSRF).
    const victim = new Browser();
    const page = await victim.postForm(action, fields);
    expect(page.status).toBe(401);
    expect(errorOf(page).message).toContain('(state_mismatch)');
    // No RelayState at all.
    const bare = await attacker.postForm(action, { SAMLResponse: fields.SAMLResponse });
    expect(bare.status).toBe(401);
    expect(errorOf(bare).message).toContain('(state_missing)');
  });

  it('ends a SAML session at its re-check: the user signs in again', async () => {
    const { browser, page } = await samlSignIn(base, idp, 'alice');
    expect(page.status).toBe(200);
    const cookie = await browser.jar.getCookieString(base);
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, RECHECK_SECONDS * 1000 + 300));
    const after = await fetch(`${base}/auth/me`, { headers: { cookie } });
    expect(after.status).toBe(401);
    await eventually(() =>
      auditLines(gateway.output()).some(
        (l) =>
          l.action === 'auth.session.end' &&
          l.actor === 'alice' &&
          l.provider === 'saml' &&
          l.reason === 'recheck' &&
          /sign in again/.test(String(l.explanation)),
      ),
    );
    // A new SAML login (the IdP asked again) gives a new session.
    const again = await samlSignIn(base, idp, 'alice', {}, browser);
    expect(again.page.status).toBe(200);
  });

  it("re-checks by the IdP's SessionNotOnOrAfter when it comes first", async () => {
    const { browser, page } = await samlSignIn(base, idp, 'bob', { sessionForSeconds: 1 });
    expect(page.status).toBe(200);
    const cookie = await browser.jar.getCookieString(base);
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect((await fetch(`${base}/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('serves SP metadata: entity id, ACS URL on HTTP-POST, signed assertions wanted', async () => {
    const response = await fetch(`${base}/auth/saml/metadata`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/samlmetadata\+xml/);
    const xml = await response.text();
    expect(xml).toMatch(/<EntityDescriptor[^>]*entityID="groq-gateway"/);
    expect(xml).toMatch(/WantAssertionsSigned="true"/);
    expect(xml).toMatch(
      new RegExp(
        `<AssertionConsumerService[^>]*Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"[^>]*Location="${base}/auth/callback/saml"`,
      ),
    );
  });

  it('reads form bodies on the ACS only, with a small limit', async () => {
    const elsewhere = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'name=x',
    });
    expect(elsewhere.status).toBe(415);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe(
      'unsupported_media_type',
    );
    const huge = await fetch(`${base}/auth/callback/saml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `SAMLResponse=${'A'.repeat(300 * 1024)}`,
    });
    expect(huge.status).toBe(413);
    const garbage = await fetch(`${base}/auth/callback/saml`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'SAMLResponse=%3Cnot-base64%3E&RelayState=x',
    });
    expect(garbage.status).toBe(401);
    expect(((await garbage.json()) as { error: { message: string } }).error.message).toContain(
      '(saml_invalid)',
    );
  });
});

const USER_OF: Record<Role, string> = {
  admin: 'alice',
  developer: 'bob',
  viewer: 'fred',
  auditor: 'dora',
};

/**
 * The sign-in routes and the session admin routes, what each role may do with a SAML session
 * (written from issue 20's words: sessions are managed by admins only; /auth/* is for anyone
 * signed in; the metadata is public). State-changing calls carry the CSRF token.
 */
const ROUTES: RouteAccess[] = [
  { method: 'GET', path: '/auth/me', allowed: ROLES },
  { method: 'GET', path: '/auth/saml/metadata', allowed: ROLES },
  { method: 'GET', path: '/admin/me', allowed: ROLES },
  { method: 'GET', path: '/admin/sessions', allowed: ['admin'] },
  { method: 'GET', path: '/admin/sessions?subject=alice', allowed: ['admin'] },
  { method: 'DELETE', path: '/admin/sessions/no-such-session', allowed: ['admin'] },
  { method: 'DELETE', path: '/admin/sessions?subject=nobody', allowed: ['admin'] },
  { method: 'GET', path: '/admin/keys', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'GET', path: '/admin/config', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/admin/teams', allowed: ROLES },
  { method: 'POST', path: '/admin/teams', body: { id: 'saml-made-team' }, allowed: ['admin'] },
  { method: 'GET', path: '/admin/tokens', allowed: ROLES },
];

describe('SAML sessions: role x route on the sign-in and session admin routes', () => {
  let idp: SamlIdp;
  let gateway: GatewayProcess;
  let base: string;
  const sessions = {} as Record<Role, { cookie: string; csrf: string }>;

  beforeAll(async () => {
    idp = await startIdp();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startGateway({
      PORT: String(port),
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(authConfig(base, idp)).path,
    });
    for (const role of ROLES) {
      const { browser, page } = await samlSignIn(base, idp, USER_OF[role]);
      expect(JSON.parse(page.text)).toMatchObject({ role, provider: 'saml' });
      sessions[role] = {
        cookie: await browser.jar.getCookieString(base),
        csrf: (await browser.cookie(base, 'gw_session_csrf'))!,
      };
    }
  });
  afterAll(async () => {
    await gateway?.stop();
    await idp?.stop();
  });

  const cases = roleCases(ROUTES);

  it.each(cases)('%s as %s: %s', async (_name, role, expected, route) => {
    const { cookie, csrf } = sessions[role];
    const response = await fetch(`${base}${route.path}`, {
      method: route.method,
      headers: {
        cookie,
        ...(route.method === 'GET' ? {} : { 'x-csrf-token': csrf, origin: base }),
        ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: route.body === undefined ? undefined : JSON.stringify(route.body),
    });
    const text = await response.text();
    if (expected === 'allowed') {
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status).toBe(403);
      expect(JSON.parse(text).error).toMatchObject({
        type: 'permission_error',
        code: 'permission_denied',
      });
    }
  });

  it('answers 401 on /auth/me and the session admin without a session', async () => {
    for (const path of ['/auth/me', '/admin/sessions'])
      expect((await fetch(`${base}${path}`)).status).toBe(401);
  });
});

/**
 * Two replicas behind one public URL sharing one real redis-server: an assertion used on one is
 * refused on the other (its id is remembered in Redis with SET NX PX until it expires).
 */
describe('SAML replay refused across two replicas on one Redis', () => {
  let redis: RedisServer;
  let idp: SamlIdp;
  let a: GatewayProcess;
  let b: GatewayProcess;
  let publicUrl: string;

  beforeAll(async () => {
    redis = await startRedisServer('redis-password-for-saml-3');
    idp = await startIdp();
    const portA = await freePort();
    publicUrl = `http://127.0.0.1:${portA}`;
    const env = {
      GROQ_API_KEY: 'gsk_unused_by_these_tests',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      GATEWAY_CONFIG: writeGatewayConfig(authConfig(publicUrl, idp)).path,
      REDIS_URL: redis.url,
    };
    [a, b] = await Promise.all([startGateway({ ...env, PORT: String(portA) }), startGateway(env)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await idp?.stop();
    await redis?.stop();
  });

  it('signs in through A and refuses the same assertion on B', async () => {
    const first = await samlSignIn(a.url, idp, 'alice');
    expect(first.page.status).toBe(200);
    // The session is in Redis: B knows it too.
    const cookie = await first.browser.jar.getCookieString(a.url);
    expect((await fetch(`${b.url}/auth/me`, { headers: { cookie } })).status).toBe(200);

    // A login started on B, finished with the captured response, posted to B's ACS.
    const attacker = new Browser();
    const started = await attacker.get(`${b.url}/auth/login?provider=saml`);
    const { fields } = readPostForm(started.text);
    const replayed = await attacker.postForm(`${b.url}/auth/callback/saml`, {
      SAMLResponse: first.form.SAMLResponse,
      RelayState: fields.RelayState,
    });
    expect(replayed.status).toBe(401);
    expect(errorOf(replayed).message).toContain('(saml_replayed)');
    await eventually(() =>
      auditLines(b.output()).some((l) => l.action === 'auth.login' && l.reason === 'saml_replayed'),
    );
    // B's own, fresh login goes through.
    const fresh = await samlSignIn(b.url, idp, 'bob');
    expect(fresh.page.status).toBe(200);
  });
});
