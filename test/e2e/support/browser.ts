import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium, which .ci/run installs; the tests drive it with playwright-core. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where the test run saves its screenshots (docs/screenshots holds the committed ones). */
export const SCREENSHOTS = join(__dirname, '..', '..', '..', 'test-output', 'dashboard');

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Problems the page reported: uncaught errors, console errors (CSP violations among them). */
  problems: string[];
  /** Bytes of JavaScript the page loaded, as served and gzipped. */
  scriptBytes(): { raw: number; gzip: number; files: string[] };
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Real headless Chromium with a fresh profile. Background networking, component updates and sync
 * are off: on a closed network Chromium otherwise stalls on them.
 */
export async function openBrowser(
  options: { colorScheme?: 'light' | 'dark' } = {},
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'gateway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1400, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    timezoneId: 'Europe/Paris',
    locale: 'en-GB',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  const scripts = new Map<string, { raw: number; gzip: number }>();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // A 401 is how the page learns it is not signed in (or that a key is wrong): expected.
    if (message.type() === 'error' && !/status of 401/.test(message.text()))
      problems.push(`console error: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    void response
      .body()
      .then((body) =>
        scripts.set(response.url(), {
          raw: body.length,
          gzip: gzipSync(body, { level: 9 }).length,
        }),
      )
      .catch(() => undefined);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    page,
    problems,
    scriptBytes: () => ({
      raw: [...scripts.values()].reduce((sum, s) => sum + s.raw, 0),
      gzip: [...scripts.values()].reduce((sum, s) => sum + s.gzip, 0),
      files: [...scripts.keys()],
    }),
    screenshot: async (name) => {
      const path = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until `condition` (read through locators) holds. Not `page.waitForFunction`: once it has
 * to poll, Playwright evaluates a string predicate with eval in the page, which the dashboard's
 * CSP (no 'unsafe-eval') refuses, so it failed only when the page was slower than the first check.
 */
export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
