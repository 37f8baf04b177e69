import QRCode from 'qrcode';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, runBrowser, watch } from '../../testutil/console-browser.ts';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { H5_FCP_BUDGET_MS, H5_JS_BUDGET, measurePageBudget, phoneContext } from '../../testutil/phone-browser.ts';

// The branded redeem page on a phone, in headless Chromium: once as iOS Safari, once as WeChat's in-app
// browser (its user agent, and no Clipboard API as in old WeChat webviews). Then the page budget under
// DevTools' "Slow 4G" preset and 4x CPU throttling: ≤ 50 KB of JavaScript, first contentful paint ≤ 1.5 s.
// The numbers are printed and recorded in docs/benchmarks.md.

let h: Harness;
let browser: Browser;
let client: Awaited<ReturnType<Harness['client']>>;

beforeAll(async () => {
  if (!runBrowser) return;
  h = await createHarness();
  browser = await launchChromium();
  client = await h.client();
  const admin = await h.admin();
  const brand = (await admin.request('POST', '/v1/admin/brands', { name: '星河银行 · 会员福利', client_id: client.id, primary_color: '#7b2ff7', text_color: '#ffffff', service_phone: '400-800-1234', service_wechat: 'xinghe_help', footer: '活动最终解释权归星河银行所有' })).body;
  const logo = await QRCode.toBuffer('logo', { type: 'png', width: 64 });
  await admin.request('PUT', `/v1/admin/brands/${brand.id}/logo`, { data_base64: logo.toString('base64') });
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

async function newGrant(name = '腾讯视频VIP月卡', platform = 'tencent_video', renewal = false) {
  const product = await h.product({ name, platform, renewal });
  const [secret] = await h.stock(product.id, 1, { expiresAt: new Date(Date.now() + 30 * 86_400_000) });
  const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'p-' + idem() } }, { idempotencyKey: idem() })).body;
  return { grant, secret: secret as { card_number: string; password: string } };
}

const visible = (page: Page, sel: string) => page.isVisible(sel);

describe.runIf(runBrowser)('branded redeem page on a phone (headless Chromium)', () => {
  for (const agent of ['ios', 'wechat'] as const) {
    it(`${agent}: brand, period, instructions and the warning before the tap; reveal; copy`, async () => {
      const { grant, secret } = await newGrant();
      const context = await phoneContext(browser, agent);
      if (agent === 'wechat') await context.addInitScript(() => { Object.defineProperty((globalThis as unknown as { Navigator: { prototype: object } }).Navigator.prototype, 'clipboard', { get: () => undefined }); });
      else await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(grant.redeem_url);
      await expect.poll(() => page.textContent('#name')).toBe('腾讯视频VIP月卡');
      // the brand: name, logo, colours, contact, footer
      expect(await page.textContent('#brand')).toContain('星河银行 · 会员福利');
      expect(await page.$eval('#brand img', (i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
      expect(await page.$eval('#brand', (e) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(e).backgroundColor)).toBe('rgb(123, 47, 247)');
      expect(await page.textContent('#service')).toContain('400-800-1234');
      expect(await page.textContent('#service')).toContain('活动最终解释权归星河银行所有');
      // before the tap: what the period means, how to use it, and that the tap claims it
      expect(await page.textContent('#period')).toContain('不自动续费');
      expect(await visible(page, '#howto')).toBe(true);
      expect(await page.textContent('#howto')).toContain('腾讯视频');
      expect(await visible(page, '#warning')).toBe(true);
      expect(await page.textContent('#warning')).toContain('首次查看即视为领取');
      expect(await visible(page, '#result')).toBe(false);

      await page.tap('#reveal');
      await page.waitForSelector('#result:not([hidden])');
      expect(await page.$$eval('.secret', (els) => els.map((e) => e.textContent))).toEqual([secret.card_number, secret.password]);
      expect(await page.textContent('#result')).toMatch(/请在 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 前完成兑换/);
      expect(await visible(page, '#warning')).toBe(false);
      await page.tap('.copy');
      if (agent === 'ios') {
        await expect.poll(() => page.textContent('.copy')).toBe('已复制卡号'.slice(0, 3));
        expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(secret.card_number);
      } else {
        // no Clipboard API: the execCommand fallback, or the text selected with a long-press hint
        await expect.poll(() => page.textContent('.copy')).toMatch(/^(已复制|请长按复制)$/);
      }
      // re-reveal: the same code again
      await page.reload();
      await expect.poll(() => page.textContent('#reveal')).toBe('再次查看卡密');
      expect(await visible(page, '#warning')).toBe(false);
      await page.tap('#reveal');
      await page.waitForSelector('#result:not([hidden])');
      expect(await page.textContent('.secret')).toBe(secret.card_number);
      expect(problems, problems.join("\n")).toEqual([]); // no CSP violation, no script error
      await context.close();
    });
  }

  // the direct-recharge case (account entry, pending → 充值成功 through the sandbox supplier, nothing mocked) is in
  // h5-pages.browser.test.ts

  it('says what happened, with the customer-service contact, when the link is cancelled', async () => {
    const { grant } = await newGrant();
    await client.request('POST', `/v1/grants/${grant.id}/void`, {});
    const context = await phoneContext(browser);
    const page = await context.newPage();
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#name')).toBe('权益已取消');
    expect(await page.textContent('#status')).toContain('联系页面底部的客服');
    expect(await page.textContent('#service')).toContain('xinghe_help');
    await context.close();
  });

  it(`stays within budget under Slow 4G and 4x CPU: ≤ ${H5_JS_BUDGET / 1024} KB JavaScript, first contentful paint ≤ ${H5_FCP_BUDGET_MS} ms`, async () => {
    const { grant } = await newGrant();
    // the first screen (brand, product, period, instructions, warning) is in the HTML: it is what FCP paints
    const ready = (page: Page) => expect.poll(() => page.textContent('#name'), { timeout: 10_000 }).toBe('腾讯视频VIP月卡');
    const budget = await measurePageBudget(browser, grant.redeem_url, 'redeem page', { ready });
    expect(budget.scriptBytes).toBeGreaterThan(0);
    expect(budget.scriptBytes).toBeLessThanOrEqual(H5_JS_BUDGET);
    expect(budget.fcp).toBeLessThanOrEqual(H5_FCP_BUDGET_MS);
  });
});
