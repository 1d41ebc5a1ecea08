import type { Page } from 'playwright-core';
import { askWithRequestId, makeToken } from './support/access';
import { HttpReceiver, startHttpReceiver } from './support/alert-receivers';
import { openBrowser, SCREENSHOTS, until, type Browser } from './support/browser';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import { waitForLogs } from './support/request-logs';
import { Stack, startStack } from './support/stack';

const MODEL = 'groq/llama-3.3-70b-versatile';
const SEARCH_KEY = 'vk-browser-admin-search-secret-000';

/** Teams, Guardrails and Alerts pages in real headless Chromium, and what each role sees there. */
describe('dashboard in a real browser: teams, guardrails, alerts', () => {
  let stack: Stack;
  let receiver: HttpReceiver;
  let browser: Browser;
  let url: string;
  const ask = (apiKey: string, content: string, requestId: string) =>
    askWithRequestId(url, apiKey, content, requestId, MODEL);

  const signIn = async (page: Page, key: string) => {
    await page.goto(`${url}/ui/`);
    await page.getByLabel('Admin key or personal access token').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Dashboard pages' }).waitFor();
  };
  /** Buttons other than the tables' sort headers. */
  const buttons = (page: Page) => page.locator('button:not(th button)').allTextContents();

  beforeAll(async () => {
    receiver = await startHttpReceiver();
    stack = await startStack(
      {
        GATEWAY_CONFIG: writeGatewayConfig(`
governance:
  prices:
    llama-3.3-70b-versatile: { input: 0.59, output: 0.79 }
  virtualKeys:
    - { id: search-key, keyEnv: SEARCH_KEY, team: search }
teams:
  - { id: search, name: Search, budget: { usd: 50, period: monthly } }
guardrails:
  policies:
    - { id: no-codenames, kind: keywords, stage: both, action: block, words: [project-x] }
    - { id: fruit, kind: keywords, stage: input, action: flag, words: [banana] }
    - { id: pii-in, kind: pii, stage: input, action: redact, entities: [email] }
  defaults: [no-codenames, fruit, pii-in]
alerts:
  allowPrivateNetworks: true
  deliveryAttempts: 1
  channels:
    - { id: team-slack, kind: slack, webhookUrl: '${receiver.url}/slack' }
  rules:
    - { id: errors, kind: error_rate, threshold: 0.5, channels: [team-slack] }
    - { id: search-budget, kind: budget_usage, threshold: 0.8, channels: [team-slack] }
`).path,
        SEARCH_KEY,
        GATEWAY_ADMIN_KEY: ADMIN_KEY,
        LOGS_FLUSH_INTERVAL_MS: '20',
      },
      { chunkDelayMs: 5 },
    );
    url = stack.gateway.url;
    browser = await openBrowser();
    await signIn(browser.page, ADMIN_KEY);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await receiver?.stop();
  });

  it('creates a team with a budget, edits it, gives it a key made in the UI, and shows its spend', async () => {
    const { page } = browser;
    page.on('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Teams' }).click();
    const table = page.getByRole('table', { name: 'Teams' });
    await table.getByText('search', { exact: true }).waitFor();
    // Config teams are read-only here.
    const search = table.getByRole('row').filter({ hasText: 'Search' });
    expect(await search.getByRole('button').count()).toBe(0);
    await search.getByRole('meter', { name: 'search monthly budget' }).waitFor();

    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByLabel('Id', { exact: true }).fill('ui-team');
    await page.getByLabel('Name', { exact: true }).fill('Made in the UI');
    await page.getByRole('spinbutton', { name: 'Budget (USD)' }).fill('10');
    await page.getByLabel('Budget period').selectOption('daily');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const row = table.getByRole('row').filter({ hasText: 'ui-team' });
    await row.getByRole('meter', { name: 'ui-team daily budget' }).waitFor();

    await row.getByRole('button', { name: 'Edit ui-team' }).click();
    await page.getByRole('spinbutton', { name: 'Budget (USD)' }).fill('20');
    await page.getByRole('button', { name: 'Save team' }).click();
    await row
      .getByRole('meter', { name: 'ui-team daily budget' })
      .and(page.locator('[aria-valuemax="20"]'))
      .waitFor();

    // A key made on the Virtual keys page, with the team picked from the list.
    await page.getByRole('link', { name: 'Virtual keys' }).click();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByLabel('Id (optional)').fill('ui-team-key');
    await page.getByLabel('Team').selectOption('ui-team');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const secret = await page.getByTestId('new-secret').inputValue();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    const keyRow = page.getByRole('row').filter({ hasText: 'ui-team-key' });
    expect(await keyRow.getByRole('cell', { name: 'ui-team', exact: true }).count()).toBe(1);
    await ask(secret, 'spend on the team', 'team-spend');

    await page.getByRole('link', { name: 'Teams' }).click();
    const spent = table
      .getByRole('row')
      .filter({ hasText: 'ui-team' })
      .getByRole('meter', { name: 'ui-team daily budget' });
    await until(async () => Number(await spent.getAttribute('aria-valuenow')) > 0);
    expect(await spent.getAttribute('aria-valuetext')).toMatch(/ of \$20\.00$/);
    // The team has a live key now: it cannot be deleted.
    expect(
      await table
        .getByRole('row')
        .filter({ hasText: 'ui-team' })
        .getByRole('button')
        .allTextContents(),
    ).toEqual(['Edit']);
    await browser.screenshot('teams');
  });

  it('shows the guardrail policies, their counts and the latest blocks and flags', async () => {
    const { page } = browser;
    await expect(ask(SEARCH_KEY, 'all about project-x', 'gr-blocked')).rejects.toMatchObject({
      status: 400,
    });
    await ask(SEARCH_KEY, 'a banana, please', 'gr-flagged');
    await ask(SEARCH_KEY, 'write to me at someone@example.com', 'gr-redacted');
    await page.getByRole('link', { name: 'Guardrails' }).click();
    const recent = page.getByRole('table', { name: /Latest guardrail decisions/ });
    await recent.getByRole('link', { name: 'gr-redacted' }).waitFor();
    expect(await recent.locator('tbody tr').count()).toBe(3);
    const blocked = recent.getByRole('row').filter({ hasText: 'gr-blocked' });
    expect(await blocked.textContent()).toContain('no-codenames');
    expect(await blocked.locator('.badge').textContent()).toBe('blocked');
    const policies = page.getByRole('table', { name: 'Policies' });
    const codenames = policies.getByRole('row').filter({ hasText: 'no-codenames' });
    expect(await codenames.locator('td').nth(6).textContent()).toBe('1');
    expect(await codenames.textContent()).toContain('every call');
    await browser.screenshot('guardrails');
    // A decision opens the request's log detail.
    await waitForLogs(url, 4);
    await blocked.getByRole('link', { name: 'gr-blocked' }).click();
    await page.getByRole('heading', { name: 'Request gr-blocked' }).waitFor();
  });

  it('shows the alert rules and sends a test that appears in the recent deliveries', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Alerts' }).click();
    const rules = page.getByRole('table', { name: 'Rules' });
    await rules.getByRole('cell', { name: 'search-budget' }).waitFor();
    expect(await rules.getByRole('row').filter({ hasText: 'errors' }).textContent()).toContain(
      'ok',
    );
    await page.getByRole('button', { name: 'Send a test to team-slack' }).click();
    await page.getByTestId('test-report').filter({ hasText: 'sent' }).waitFor();
    expect(receiver.posts('/slack')).toHaveLength(1);
    const deliveries = page.getByRole('table', { name: 'Recent deliveries, newest first' });
    await deliveries.getByRole('cell', { name: 'team-slack', exact: true }).waitFor();
    expect(await deliveries.locator('tbody tr .badge').first().textContent()).toBe('sent');
    await browser.screenshot('alerts');
  });

  it('shows each role only what it may do on the new pages', async () => {
    const signedIn = async (role: string, teams?: string[]) => {
      const token = await makeToken(url, ADMIN_KEY, { name: `ui ${role}`, role, teams });
      const page = await browser.context.newPage();
      await signIn(page, token.token);
      return page;
    };
    const nav = (page: Page) =>
      page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link').allTextContents();

    const viewer = await signedIn('viewer', ['search']);
    expect(await nav(viewer)).toEqual(['Overview', 'Teams']);
    await viewer.getByRole('link', { name: 'Teams' }).click();
    await viewer
      .getByRole('table', { name: 'Teams' })
      .getByText('search', { exact: true })
      .waitFor();
    expect(await buttons(viewer)).toEqual(['Sign out']);
    await viewer.screenshot({ path: `${SCREENSHOTS}/viewer-teams.png`, fullPage: true });
    await viewer.close();

    const developer = await signedIn('developer', ['search']);
    expect(await nav(developer)).toEqual([
      'Overview',
      'Logs',
      'Virtual keys',
      'Teams',
      'Guardrails',
      'Alerts',
    ]);
    await developer.getByRole('link', { name: 'Guardrails' }).click();
    await developer.getByRole('link', { name: 'gr-blocked' }).waitFor();
    expect(await buttons(developer)).toEqual(['Sign out', 'Refresh now']);
    await developer.getByRole('link', { name: 'Alerts' }).click();
    await developer.getByRole('table', { name: 'Channels' }).getByText('team-slack').waitFor();
    expect(await buttons(developer)).toEqual(['Sign out', 'Refresh now']);
    await developer.getByRole('link', { name: 'Teams' }).click();
    await developer
      .getByRole('table', { name: 'Teams' })
      .getByText('search', { exact: true })
      .waitFor();
    expect(await buttons(developer)).toEqual(['Sign out']);
    await developer.close();

    const auditor = await signedIn('auditor');
    expect(await nav(auditor)).toEqual([
      'Overview',
      'Logs',
      'Virtual keys',
      'Teams',
      'Groq keys',
      'Guardrails',
      'Alerts',
      'Settings',
    ]);
    await auditor.getByRole('link', { name: 'Alerts' }).click();
    await auditor.getByRole('table', { name: 'Channels' }).getByText('team-slack').waitFor();
    expect(await buttons(auditor)).toEqual(['Sign out', 'Refresh now']);
    await auditor.getByRole('link', { name: 'Settings' }).click();
    await auditor
      .getByRole('region', { name: 'Governance' })
      .getByText('env:GATEWAY_ADMIN_KEY')
      .waitFor();
    expect(await buttons(auditor)).toEqual(['Sign out', 'Refresh']);
    await auditor.close();
  });

  it('reported no page errors and no CSP violations', () => {
    expect(browser.problems).toEqual([]);
  });
});
