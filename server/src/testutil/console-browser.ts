import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// What the console's browser tests share: Debian's headless Chromium, a watcher of console errors and
// missing message keys, screenshots into $QUANYI_SCREENSHOTS (docs/console/ holds the committed ones), and
// signing in through the login page.
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const runBrowser = Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
if (!runBrowser) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Console errors, page errors, CSP violations and missing message keys, as they happen. `expected`: failed
 * loads a page answers by design (Chromium logs every 4xx), as [status, URL pattern].
 */
export function watch(page: Page, expected: Array<[number, RegExp]> = []): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && !m.text().includes('missing i18n key')) return;
    // the one expected failure: before signing in, GET /v1/admin/me answers 401 and the app goes to login
    if (/status of 401/.test(m.text()) && m.location().url.endsWith('/v1/admin/me')) return;
    if (expected.some(([status, url]) => m.text().includes(`status of ${status}`) && url.test(m.location().url))) return;
    problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

/** A full-page screenshot once drawers and modals have finished sliding in (spinners run forever: ignored). */
export async function shot(page: Page, name: string) {
  const dir = process.env.QUANYI_SCREENSHOTS;
  if (!dir) return;
  // a function, not a string: the console's CSP refuses eval (the server's tsconfig has no DOM types)
  type Anim = { playState: string; effect: { getTiming(): { iterations?: number } } | null };
  await page.waitForFunction(() =>
    ((globalThis as unknown as { document: { getAnimations(): Anim[] } }).document.getAnimations()).every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Signs in through the login page in `lang` (the language switch is on it) and waits for `landing`. */
export async function signIn(page: Page, base: string, user: { email: string; password: string }, lang: 'zh-CN' | 'en-US', landing: RegExp) {
  await page.goto(`${base}/admin/login`);
  if (lang === 'en-US') await page.getByText('EN', { exact: true }).click();
  await page.fill('#login-email', user.email);
  await page.fill('#login-password', user.password);
  await page.click('#login-submit');
  await page.waitForURL(landing);
}
