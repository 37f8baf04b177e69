import { describe, expect, it } from 'vitest';
import { createAdminUser } from '../../modules/identity/index.ts';
import { consoleEnvironment, createProductThroughForm, importThroughDrop, PASSWORD, runBrowser, shot, signIn, watch, workflowEntries } from '../../testutil/console-browser.ts';

// The whole console chain in Debian's headless Chromium, against the real server (the built web/dist served
// by the real app, the real API and database, a real job runner): an operator signs in, creates a product
// through the form, drops an import file and watches the progress bar reach 100%, in zh-CN and in en-US,
// with no console error and no missing message key. Lives in the server workspace because it needs the
// server's harness; `npm test` rebuilds web/dist first when web/ changed.
// Screenshots go to $QUANYI_SCREENSHOTS (docs/console/ holds the committed ones).
const EMAIL = 'operator@example.com';
const env = consoleEnvironment([{ email: EMAIL, role: 'operator' }]);

const LANGS = {
  'zh-CN': { login: '登录', products: '商品管理', stock: '库存与批次', newProduct: '新建商品', save: '保存', created: '商品已创建', done: '导入完成：成功 3 条，拒绝 1 条', role: '运营' },
  'en-US': { login: 'Sign in', products: 'Products', stock: 'Stock & batches', newProduct: 'New product', save: 'Save', created: 'Product created', done: 'Import finished: 3 imported, 1 rejected', role: 'Operator' },
} as const;

describe.runIf(runBrowser)('operator console (headless Chromium)', () => {
  for (const [lang, m] of workflowEntries(LANGS)) {
    it(`${lang}: sign in, create a product, import codes and watch the progress reach 100%`, async () => {
      const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang });
      const page = await context.newPage();
      const problems = watch(page);
      const sku = `VIP-${lang}-${Date.now().toString(36)}`.toUpperCase();

      // a deep link without a session lands on the login page, remembering where it was going
      await page.goto(`${env.h.url}/admin/products`);
      await page.waitForURL(/\/admin\/login\?next=%2Fproducts/);
      if (lang === 'en-US') await page.getByText('EN', { exact: true }).click();
      await expect.poll(async () => (await page.textContent('#login-submit'))?.replace(/\s/g, '')).toBe(m.login.replace(/\s/g, ''));
      await shot(page, `${lang}-login`);
      await signIn(page, EMAIL);
      await page.waitForURL(/\/admin\/products$/);
      await expect.poll(() => page.textContent('[data-testid=role]')).toBe(m.role);

      // create a product through the form: money typed in 元, stored in 分
      await createProductThroughForm(page, { sku, name: `爱奇艺黄金VIP 1个月 ${lang}`, createdText: m.created });
      await shot(page, `${lang}-products`);
      if (lang === 'en-US') {
        // the frame, the query form and the pager (pro-components' and antd's own strings) are in English too
        for (const part of ['.ant-pro-query-filter', '.ant-pagination', '.ant-pro-sider', '.ant-pro-global-header', '.ant-table-thead']) {
          expect(await page.locator(part).first().innerText(), part).not.toMatch(/\p{Script=Han}/u);
        }
      }
      const admin = await env.h.admin();
      const stored = (await admin.request('GET', `/v1/admin/products/${sku}`)).body;
      expect(stored).toMatchObject({ sku, platform: 'iqiyi', price: 1999, safety_stock: 5, kind: 'card_code', period: { unit: 'month', count: 1 } });

      // stock: drop a file on the upload area; the progress bar follows the import job to 100%
      await page.getByRole('menuitem', { name: m.stock }).click();
      await page.waitForURL(/\/admin\/stock$/);
      const csv = `card_number,password\nC${sku}1,P1\nC${sku}2,P2\nC${sku}3,P3\nC${sku}3,P3\n`;
      await importThroughDrop(page, sku, csv);
      await page.getByText(m.done).waitFor();
      await shot(page, `${lang}-stock`);
      const stock = (await admin.request('GET', `/v1/admin/stock?product=${sku}`)).body.data[0];
      expect(stock).toMatchObject({ available: 3, safety_stock: 5, below_safety_stock: true });

      // the dashboard renders its charts and tables (its figures are checked in console-dashboard.browser.test.ts)
      await page.getByRole('menuitem', { name: lang === 'zh-CN' ? '数据看板' : 'Dashboard' }).click();
      await page.waitForSelector('canvas');
      await page.getByText(sku).first().waitFor();

      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('honours the system asking for less motion: no Ant Design transitions then, the usual ones otherwise', async () => {
    const transitionOf = async (reducedMotion: 'reduce' | 'no-preference') => {
      const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', reducedMotion });
      const page = await context.newPage();
      await page.goto(`${env.h.url}/admin/login`);
      const button = page.locator('#login-submit');
      await button.waitFor();
      const duration = await button.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { transitionDuration: string } }).getComputedStyle(el).transitionDuration);
      await context.close();
      return duration;
    };
    expect((await transitionOf('reduce')).split(',').every((d) => parseFloat(d) === 0)).toBe(true);
    expect((await transitionOf('no-preference')).split(',').some((d) => parseFloat(d) > 0)).toBe(true);
  });

  it('a support user sees no stock import and gets the 403 page for a page they may not open', async () => {
    await createAdminUser(env.h.ctx.db, { email: 'support@example.com', password: PASSWORD, role: 'support' }, 'test');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/login`);
    await signIn(page, 'support@example.com');
    // support has no dashboard (dashboard:read): the console starts on the first page it may open
    await page.waitForURL(/\/admin\/products$/);
    expect(await page.getByRole('menuitem', { name: '数据看板' }).count()).toBe(0);
    await page.goto(`${env.h.url}/admin/dashboard`);
    await page.getByText('无权访问').waitFor();
    await page.goto(`${env.h.url}/admin/clients`);
    await page.getByText('无权访问').waitFor();
    expect(await page.getByRole('menuitem', { name: '接入方' }).count()).toBe(0);
    await page.goto(`${env.h.url}/admin/stock`);
    await page.getByText('库存与批次').first().waitFor();
    expect(await page.locator('.ant-upload-drag').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
