import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// What every console browser test shares: Debian's headless Chromium (through playwright-core), a watcher
// that collects console errors, page errors, CSP violations and missing message keys, sign-in through the
// real login form, and screenshots into $QUANYI_SCREENSHOTS (docs/console/ holds the committed ones).
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** On CI a missing Chromium fails the launch; elsewhere the browser tests say they were skipped. */
export const runBrowser = Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
if (!runBrowser) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export const CONSOLE_PASSWORD = 'correct horse battery staple';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Console errors, page errors, CSP violations and missing message keys, as they happen. */
export function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && !m.text().includes('missing i18n key')) return;
    // the one expected failure: before signing in, GET /v1/admin/me answers 401 and the app goes to login
    if (/status of 401/.test(m.text()) && m.location().url.endsWith('/v1/admin/me')) return;
    problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

export async function shot(page: Page, name: string) {
  const dir = process.env.QUANYI_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the login form (already open) and waits to leave it. */
export async function signIn(page: Page, email: string, password = CONSOLE_PASSWORD) {
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.waitForURL((u) => !u.pathname.startsWith('/admin/login'));
}
