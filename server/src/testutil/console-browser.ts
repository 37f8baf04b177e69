import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// What the console's browser tests share: Debian's headless Chromium, a watch on everything the page
// complains about, screenshots for docs/console/, and signing in through the login form.
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** On CI a missing Chromium fails the run; on a laptop without one the browser tests are skipped, said once. */
export const runBrowser = Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
if (!runBrowser) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * A fresh context in `lang`: the console keeps only the language in localStorage, so setting it there before
 * the first page load opens the console in that language without clicking the switch.
 */
export async function newConsoleContext(browser: Browser, lang: Lang, viewport = { width: 1440, height: 900 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: lang });
  await context.addInitScript(`localStorage.setItem('quanyi.lang', ${JSON.stringify(lang)})`);
  return context;
}

/** Console errors, page errors, CSP violations and missing message keys, as they happen. */
export function watch(page: Page, opts: { allow?: RegExp[] } = {}): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && !m.text().includes('missing i18n key')) return;
    // the one expected failure: before signing in, GET /v1/admin/me answers 401 and the app goes to login
    if (/status of 401/.test(m.text()) && m.location().url.endsWith('/v1/admin/me')) return;
    if (opts.allow?.some((re) => re.test(`${m.text()} ${m.location().url}`))) return;
    problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** A full-page screenshot into $QUANYI_SCREENSHOTS (docs/console/ holds the committed ones), when set. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.QUANYI_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Through the login form; resolves once the console has left the login page. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string, totp?: () => string): Promise<void> {
  await page.goto(`${baseUrl}/admin/login`);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  if (totp) {
    await page.locator('#login-totp').waitFor();
    await page.fill('#login-totp', totp());
    await page.click('#login-submit');
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/admin/login'));
}
