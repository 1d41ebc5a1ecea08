import type { Page } from 'playwright-core';
import { freePort } from '../../bench/src/processes';
import { GroqEmulator } from '../emulator/emulator';
import { openBrowser, type Browser } from './support/browser';
import { GatewayProcess, startGateway } from './support/gateway-process';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { OidcIdp, startOidcIdp } from './support/identity/oidc-idp';

const CLIENT_ID = 'groq-gateway-dashboard';
const CLIENT_SECRET = 'oidc-dashboard-client-secret-5';

/** "Sign in with SSO" in real headless Chromium through a real OpenID Provider (oidc-provider). */
describe('dashboard sign-in with SSO (OIDC) in a real browser', () => {
  let idp: OidcIdp;
  let emulator: GroqEmulator;
  let gateway: GatewayProcess;
  let browser: Browser;
  let base: string;
  const notFound: string[] = [];

  /** Clicks the SSO button and signs in as `user` on the IdP's own page; lands on the dashboard. */
  const signInWithSso = async (page: Page, user: string) => {
    // A fresh sign-in at the IdP too (its own session would sign the last user in again).
    await browser.context.clearCookies();
    page.on('response', (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    await page.goto(`${base}/ui/`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).click();
    await page.waitForURL(`${idp.issuer}/interaction/**`);
    await page.locator('input[name="login"]').fill(user);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/ui/**`);
    await page.getByRole('navigation', { name: 'Dashboard pages' }).waitFor();
  };
  const nav = (page: Page) =>
    page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link').allTextContents();

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    idp = await startOidcIdp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: `${base}/auth/callback/oidc`,
      users: {
        alice: { email: 'alice@example.com', groups: ['platform-admins'] },
        bob: { email: 'bob@example.com', groups: ['search-devs'] },
        carol: { email: 'carol@example.com', groups: ['finance'] },
      },
    });
    emulator = new GroqEmulator({ keys: ['gsk_sso_dashboard_key_0000000'] });
    gateway = await startGateway({
      PORT: String(port),
      GROQ_BASE_URL: await emulator.start(),
      GROQ_API_KEY: 'gsk_sso_dashboard_key_0000000',
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      GATEWAY_CONFIG: writeGatewayConfig(`
teams:
  - { id: search, name: Search }
auth:
  publicUrl: ${base}
  sessions: { cookieName: gw_session }
  oidc:
    issuer: ${idp.issuer}
    clientId: ${CLIENT_ID}
    clientSecretEnv: OIDC_CLIENT_SECRET
    scopes: [openid, email, profile, groups]
    rolesClaim: groups
  roleMappings:
    - { match: platform-admins, role: admin }
    - { match: search-devs, role: developer, teams: [search] }
    - { match: finance, role: viewer, teams: [search] }
`).path,
    });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await emulator?.stop();
    await idp?.stop();
  });

  it('offers SSO on the sign-in page only when /auth is configured', async () => {
    const providers = await fetch(`${base}/auth/providers`);
    expect(await providers.json()).toEqual({
      object: 'list',
      data: [{ id: 'oidc', loginUrl: '/auth/login?provider=oidc' }],
    });
    const { page } = browser;
    await page.goto(`${base}/ui/`);
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    await browser.screenshot('sign-in-sso');
  });

  it('signs a developer in through the IdP; state-changing calls carry the CSRF token', async () => {
    const { page } = browser;
    await signInWithSso(page, 'bob');
    expect(await page.locator('.who').textContent()).toBe('bob@example.com · developer');
    expect(await nav(page)).toEqual([
      'Overview',
      'Logs',
      'Virtual keys',
      'Teams',
      'Guardrails',
      'Alerts',
    ]);
    const cookies = await browser.context.cookies(base);
    expect(cookies.find((c) => c.name === 'gw_session')?.httpOnly).toBe(true);

    // A key made with the session cookie: POST /admin/keys passes the CSRF check.
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Id (optional)').fill('sso-made');
    await page.getByLabel('Team').selectOption('search');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByTestId('new-secret').waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('table', { name: 'Virtual keys' }).getByText('sso-made').waitFor();
    // The same call without the token is refused: the page's token is what let it through.
    const session = cookies.find((c) => c.name === 'gw_session')!;
    const forged = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: {
        cookie: `gw_session=${session.value}`,
        'content-type': 'application/json',
        origin: base,
      },
      body: JSON.stringify({ team: 'search' }),
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    await browser.screenshot('sso-developer-keys');

    // Sign out ends the session at the gateway (POST /auth/logout, CSRF-checked).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    const after = await fetch(`${base}/admin/me`, {
      headers: { cookie: `gw_session=${session.value}` },
    });
    expect(after.status).toBe(401);
  });

  it('shows each signed-in role its own view: an admin everything, a viewer no button that would 403', async () => {
    const admin = await browser.context.newPage();
    await signInWithSso(admin, 'alice');
    expect(await admin.locator('.who').textContent()).toBe('alice@example.com · admin');
    expect(await nav(admin)).toContain('Settings');
    await admin.getByRole('button', { name: 'Sign out' }).click();
    await admin.getByRole('link', { name: 'Sign in with SSO' }).waitFor();
    await admin.close();

    const viewer = await browser.context.newPage();
    await signInWithSso(viewer, 'carol');
    expect(await viewer.locator('.who').textContent()).toBe('carol@example.com · viewer');
    expect(await nav(viewer)).toEqual(['Overview', 'Teams']);
    await viewer.getByRole('link', { name: 'Teams' }).click();
    await viewer
      .getByRole('table', { name: 'Teams' })
      .getByText('search', { exact: true })
      .waitFor();
    expect(await viewer.locator('button:not(th button)').allTextContents()).toEqual(['Sign out']);
    await viewer.close();
  });

  it('reported no page errors and no CSP violations', () => {
    // The test IdP's pages have no favicon: the only 404s, and none from the gateway.
    expect(notFound.filter((u) => !u.startsWith(`${idp.issuer}/`))).toEqual([]);
    expect(browser.problems.filter((p) => !/status of 404/.test(p))).toEqual([]);
  });
});
