import { AxeBuilder } from '@axe-core/playwright';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminUser } from '../../modules/identity/index.ts';
import { animationsDone, LANGS, launchChromium, PASSWORD, newConsoleContext, runBrowser, signIn, watch, type Lang } from '../../testutil/console-browser.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';

// Every page of the console, as the route table lists them, in both languages: it renders with no console
// or page error, no missing message key and no raw key on screen; the main pages pass axe (no serious or
// critical accessibility violation); a support user's menu lacks the pages their role may not open and
// those URLs answer the 403 page. New routes are swept without touching this file.
const WEB = path.resolve(import.meta.dirname, '../../../../web/src');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-console-sweep-'));

interface RouteEntry {
  path: string;
  permission?: string;
}

/** The route table read from routes.tsx itself (it holds JSX, which this workspace does not compile). */
function consoleRoutes(): RouteEntry[] {
  const source = fs.readFileSync(path.join(WEB, 'routes.tsx'), 'utf8');
  const entries = [...source.matchAll(/\{\s*path: '(\/[^']*)'[^\n]*/g)].map((m) => ({ path: m[1], permission: /permission: '([^']+)'/.exec(m[0])?.[1] }));
  expect(entries.length).toBeGreaterThan(5);
  return entries;
}

/** Every message key ('jobs.status.dead'): shown on screen, it means a lookup fell back to the key. */
async function messageKeys(): Promise<string[]> {
  const catalog = (await import(pathToFileURL(path.join(WEB, 'locales/zh-CN.ts')).href)).default as Record<string, unknown>;
  const walk = (node: unknown, prefix: string): string[] =>
    typeof node === 'string' ? [prefix] : Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => walk(v, prefix ? `${prefix}.${k}` : k));
  return walk(catalog, '');
}

/** The pages the issue calls main: axe runs on these (every page is swept for errors and keys). */
const MAIN = ['/dashboard', '/products', '/stock', '/grants', '/exports', '/jobs', '/audit', '/users', '/account'];

let h: Harness;
let browser: Browser;
let keys: string[];

beforeAll(async () => {
  if (!runBrowser) return;
  h = await createHarness({ QUANYI_DATA_DIR: dataDir });
  await createAdminUser(h.ctx.db, { email: 'sweep-admin@example.com', password: PASSWORD, role: 'admin' }, 'test');
  await createAdminUser(h.ctx.db, { email: 'sweep-support@example.com', password: PASSWORD, role: 'support' }, 'test');
  // something in the lists, so tables, tags and badges are rendered and checked too
  const product = await h.product();
  await h.stock(product.id, 3);
  keys = await messageKeys();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/**
 * Requests in flight on `page`, and a wait until none has been for `quietMs`: Playwright's `networkidle` only
 * applies to page loads, and the sweep moves inside the running app (openRoute).
 */
function requestTracker(page: Page) {
  let inFlight = 0;
  let last = Date.now();
  page.on('request', () => {
    inFlight++;
    last = Date.now();
  });
  const done = () => {
    inFlight--;
    last = Date.now();
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return async (quietMs = 300, timeoutMs = 15_000) => {
    const start = Date.now();
    while (Date.now() - start < timeoutMs && (inFlight > 0 || Date.now() - last < quietMs)) await new Promise((r) => setTimeout(r, 50));
  };
}

/**
 * Opens a console route inside the running app (history.pushState + popstate, as a menu click does) instead of
 * loading the page again: the sweep visits every route in two languages, and a full load re-parses the whole
 * bundle each time. The current page is marked first, so the wait is for the new route's page.
 */
async function openRoute(page: Page, path: string) {
  type G = {
    location: { pathname: string };
    document: { querySelectorAll(s: string): Array<{ setAttribute(n: string, v: string): void }> };
    history: { pushState(d: null, t: string, u: string): void };
    dispatchEvent(e: unknown): void;
    PopStateEvent: new (t: string) => unknown;
  };
  // already there (the first route may be the page signing in landed on): nothing to mark or move
  await page.evaluate((to) => {
    const g = globalThis as unknown as G;
    if (g.location.pathname === to) return;
    g.document.querySelectorAll('.ant-pro-page-container, .ant-result').forEach((e) => e.setAttribute('data-swept', ''));
    g.history.pushState(null, '', to);
    g.dispatchEvent(new g.PopStateEvent('popstate'));
  }, `/admin${path}`);
  await page.locator('.ant-pro-page-container:not([data-swept]), .ant-result:not([data-swept])').first().waitFor();
}

/** The page's main content has settled: its requests answered, no spinner left. */
async function settled(page: Page, quiet: (quietMs?: number) => Promise<void>) {
  await quiet();
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
}

async function rawKeysOnScreen(page: Page): Promise<string[]> {
  const text = await page.locator('body').innerText();
  return keys.filter((k) => new RegExp(`(^|[^\\w.])${k.replace(/\./g, '\\.')}($|[^\\w.])`).test(text));
}

async function axeViolations(page: Page): Promise<string[]> {
  // a button under the mouse, or caught mid-fade, has a colour between two states (CI once saw #4580e2 on a
  // primary button of /grants): move the pointer off the content and read the page at rest
  await page.mouse.move(0, 0);
  await animationsDone(page);
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n').slice(1).join(' ').trim()})`).join(' | ')}`);
}

describe.runIf(runBrowser)('every console page (headless Chromium)', () => {
  for (const lang of LANGS) {
    // a dozen pages and eight axe runs: minutes when the machine is busy
    it(`${lang}: as admin, every route renders cleanly${lang === 'zh-CN' ? ' and the main pages pass axe' : ''}`, { timeout: 240_000 }, async () => {
      const context = await newConsoleContext(browser, lang);
      const page = await context.newPage();
      const problems = watch(page);
      const quiet = requestTracker(page);
      await page.goto(`${h.url}/admin/login`);
      await signIn(page, 'sweep-admin@example.com', PASSWORD);
      const report: Record<string, { rawKeys: string[]; axe: string[] }> = {};
      for (const route of consoleRoutes()) {
        await openRoute(page, route.path);
        await settled(page, quiet);
        expect(await page.locator('.ant-result-403').count(), `${route.path} is open to an admin`).toBe(0);
        const rawKeys = await rawKeysOnScreen(page);
        if (lang === 'zh-CN' && (await page.locator('.ant-pagination').count())) {
          // Ant Design's own strings follow the language too (its zh_CN locale once failed to load: "20 / page")
          expect(await page.locator('.ant-pagination').first().innerText(), route.path).not.toMatch(/[A-Za-z]{3,}/);
        }
        // axe in the default language only: what it checks (contrast, names, landmarks, ARIA) is the same
        // markup in both, and the English sweep still checks every route for errors and raw keys
        const axe = lang === 'zh-CN' && MAIN.includes(route.path) ? await axeViolations(page) : [];
        if (rawKeys.length || axe.length) report[route.path] = { rawKeys, axe };
      }
      // the login page, signed out
      const signedOut = await newConsoleContext(browser, lang as Lang);
      const login = await signedOut.newPage();
      problems.push(...watch(login));
      await login.goto(`${h.url}/admin/login`);
      await login.locator('#login-submit').waitFor();
      const loginAxe = await axeViolations(login);
      if (loginAxe.length) report['/login'] = { rawKeys: await rawKeysOnScreen(login), axe: loginAxe };
      await signedOut.close();

      expect(report).toEqual({});
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('as support: no menu entry for the pages the role may not open, and their URLs show 403', async () => {
    const context = await newConsoleContext(browser, 'zh-CN');
    const page = await context.newPage();
    const problems = watch(page);
    const quiet = requestTracker(page);
    await page.goto(`${h.url}/admin/login`);
    await signIn(page, 'sweep-support@example.com', PASSWORD);
    const me = (await (await page.request.get(`${h.url}/v1/admin/me`, { headers: { 'X-Quanyi-Console': '1' } })).json()) as { permissions: string[] };
    const routes = consoleRoutes();
    const denied = routes.filter((r) => r.permission && !me.permissions.includes(r.permission));
    // the issue's own example: imports (imports:write, the upload on the stock page) and keys (the clients page)
    expect(denied.map((r) => r.path)).toEqual(expect.arrayContaining(['/clients', '/users', '/jobs']));
    expect(me.permissions).toContain('stock:read');
    expect(me.permissions).not.toContain('imports:write');
    await page.locator('.ant-pro-sider a[href]').first().waitFor();
    const menuLinks = await page.locator('.ant-pro-sider a[href]').evaluateAll((as) => as.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute('href')));
    expect(menuLinks.sort()).toEqual(routes.filter((r) => !denied.includes(r)).map((r) => `/admin${r.path}`).sort());
    for (const route of denied) {
      await page.goto(`${h.url}/admin${route.path}`);
      await page.locator('.ant-result-403').waitFor();
    }
    await page.goto(`${h.url}/admin/stock`);
    await page.locator('.ant-pro-page-container').first().waitFor();
    await settled(page, quiet);
    expect(await page.locator('.ant-upload-drag').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
