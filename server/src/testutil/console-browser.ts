import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createAdminUser } from '../modules/identity/index.ts';
import type { Role } from '../platform/db/schema.ts';
import { startJobRunner } from '../platform/jobs/runner.ts';
import { createHarness, type Harness } from './harness.ts';

// What the console's browser tests share: Debian's headless Chromium through playwright-core, the watcher
// that turns console errors, page errors, CSP violations and missing message keys into a list the test
// asserts empty, screenshots into $QUANYI_SCREENSHOTS, and the steps several tests take (sign in; create a
// product through the form; drop an import file and wait for 100%).
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const runBrowser = Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
if (!runBrowser) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

export const PASSWORD = 'correct horse battery staple';
export const CONSOLE_PASSWORD = PASSWORD;
const shots = process.env.QUANYI_SCREENSHOTS;

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// One Chromium per test worker, shared by the files it runs (vitest keeps the worker and its modules from file
// to file): starting and stopping one cost about a second of CPU per file. A file still sees a browser of its
// own: what it opens are contexts (separate cookies, storage and pages), and its `close()` closes those.
let shared: Promise<Browser> | undefined;

function sharedChromium(): Promise<Browser> {
  if (!shared) {
    const launching = chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    shared = launching;
    // a browser that crashed or was closed is started again by the next file that asks
    launching.then((b) => b.on('disconnected', () => shared === launching && (shared = undefined))).catch(() => shared === launching && (shared = undefined));
  }
  return shared;
}

/** The worker's Chromium, as a browser of this caller's own: `close()` closes the contexts it opened. */
export async function launchChromium(): Promise<Browser> {
  const browser = await sharedChromium();
  const contexts = new Set<BrowserContext>();
  // Contexts ask for reduced motion unless told otherwise: the console then skips Ant Design's animations
  // (App.tsx), which were a fifth of the CPU the console sweep cost, and a test waits for no transition.
  const track = async (opts?: Parameters<Browser['newContext']>[0]) => {
    const context = await browser.newContext({ reducedMotion: 'reduce', ...opts });
    contexts.add(context);
    context.on('close', () => contexts.delete(context));
    return context;
  };
  return new Proxy(browser, {
    get(target, prop) {
      if (prop === 'newContext') return track;
      // Playwright's newPage makes a context owned by the page; so does this one
      if (prop === 'newPage') return async (opts?: Parameters<Browser['newPage']>[0]) => (await track(opts)).newPage();
      if (prop === 'close') return async () => void (await Promise.all([...contexts].map((c) => c.close().catch(() => undefined))));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
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

/**
 * Waits until no finite CSS animation or transition is running (drawers sliding in, a button's colour fading
 * after a click); spinners run forever and are ignored. Screenshots and axe's colour-contrast check read
 * the page as it rests, not halfway through a fade.
 */
export async function animationsDone(page: Page) {
  // a function, not a string: the console's CSP refuses eval (the server's tsconfig has no DOM types)
  type Anim = { playState: string; effect: { getTiming(): { iterations?: number } } | null };
  await page.waitForFunction(() =>
    (globalThis as unknown as { document: { getAnimations(): Anim[] } }).document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
}

/** A full-page screenshot once drawers and modals have finished sliding in (spinners run forever: ignored). */
export async function shot(page: Page, name: string) {
  if (!shots) return;
  await animationsDone(page);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/**
 * Signs in on the login page (already open) and waits to leave it. `totp`: for a user with two-step sign-in,
 * the code to type once the page asks for it.
 */
export async function signIn(page: Page, email: string, password = PASSWORD, totp?: () => string) {
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  if (totp) {
    await page.locator('#login-totp').waitFor();
    await page.fill('#login-totp', totp());
    await page.click('#login-submit');
  }
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'));
}

export const LANGS = ['zh-CN', 'en-US'] as const;
export type Lang = (typeof LANGS)[number];

/**
 * The languages the console's workflow tests (operator, supply, admin, dashboard …) run in. A workflow clicks
 * through the same screens in either language, so each runs in one language per pass: zh-CN on the embedded
 * database, en-US on PostgreSQL. CI runs both passes, so every workflow is run in both languages and on both
 * databases, at half the browser time per pass. QUANYI_TEST_LANGS=all (or `zh-CN,en-US`) runs both anywhere.
 * The sweep of every page (console-sweep.browser.test.ts) always runs both languages.
 */
export const WORKFLOW_LANGS: readonly Lang[] = (() => {
  const v = process.env.QUANYI_TEST_LANGS;
  if (v === 'all') return LANGS;
  if (v) return LANGS.filter((l) => v.split(',').includes(l));
  return process.env.TEST_DATABASE_URL ? ['en-US'] : ['zh-CN'];
})();

/** The entries of a per-language table for the languages of this pass (WORKFLOW_LANGS). */
export function workflowEntries<T extends Record<Lang, unknown>>(table: T): [Lang, T[Lang]][] {
  return WORKFLOW_LANGS.map((l) => [l, table[l]]);
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

/** Creates a card-code product through the products page's form (the page must be open); waits for the row. */
export async function createProductThroughForm(page: Page, p: { sku: string; name: string; createdText: string }) {
  await page.click('#product-new');
  const modal = page.locator('.ant-modal-content');
  await modal.waitFor();
  await modal.locator('#sku').fill(p.sku);
  await modal.locator('#name').fill(p.name);
  await modal.locator('#platform').fill('iqiyi');
  await modal.locator('#platform').press('Enter');
  await modal.locator('#price').fill('19.99');
  await modal.locator('#safety_stock').fill('5');
  await modal.locator('.ant-modal-footer .ant-btn-primary').click();
  await page.getByText(p.createdText).waitFor();
  await page.getByText(p.sku).waitFor();
}

/**
 * On the stock page: picks the product, drops a CSV on the upload area (a real drop event carrying the file,
 * as a drag from the desktop makes) and waits for the import's progress bar to reach 100%.
 */
export async function importThroughDrop(page: Page, sku: string, csv: string) {
  await page.click('#import-product');
  await page.keyboard.type(sku);
  await page.keyboard.press('Enter');
  // the server's tsconfig has no DOM types: the DataTransfer is built from a string
  const dataTransfer = await page.evaluateHandle(
    `(() => { const dt = new DataTransfer(); dt.items.add(new File([${JSON.stringify(csv)}], 'codes.csv', { type: 'text/csv' })); return dt; })()`,
  );
  await page.dispatchEvent('.ant-upload-drag .ant-upload', 'drop', { dataTransfer });
  await page.waitForSelector('[data-testid=import-progress] [role=progressbar][aria-valuenow="100"]', { timeout: 30_000 });
}

export interface ConsoleEnvironment {
  /** the real server on a fresh database, with a job runner (imports, exports) */
  h: Harness;
  browser: Browser;
}

/**
 * One harness (real server, job runner, an upload directory of its own) and one Chromium for a test file,
 * made in beforeAll with the given console users (password PASSWORD) and closed in afterAll; `env` adds settings. The fields are
 * filled once beforeAll has run; nothing is started when there is no Chromium.
 */
export function consoleEnvironment(users: { email: string; role: Role }[], opts: { env?: Record<string, string> } = {}): ConsoleEnvironment {
  const env = {} as ConsoleEnvironment;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-console-browser-'));
  let runner: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (!runBrowser) return;
    env.h = await createHarness({ QUANYI_DATA_DIR: dataDir, ...opts.env });
    runner = startJobRunner(env.h.ctx, { pollMs: 100 });
    for (const u of users) await createAdminUser(env.h.ctx.db, { email: u.email, password: PASSWORD, role: u.role }, 'test');
    env.browser = await launchChromium();
  });
  afterAll(async () => {
    await env.browser?.close();
    await runner?.stop();
    await env.h?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return env;
}
