import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, runBrowser } from '../../testutil/console-browser.ts';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';

// The redeem page in a real headless Chromium (Debian's package), on a phone-sized screen. CI installs
// Chromium and always runs this (it fails there if Chromium is missing); on a developer machine without it
// the file reports itself skipped with the reason, so `npm test` works on a fresh checkout.

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!runBrowser) return;
  h = await createHarness();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe.runIf(runBrowser)('redeem page (headless Chromium)', () => {
  it('shows what it is, reveals the code on one tap, and copies it', async () => {
    const client = await h.client();
    const product = await h.product({ name: '腾讯视频VIP 1个月', platform: 'tencent_video', renewal: true });
    const [secret] = await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'phone-user' } }, { idempotencyKey: idem() })).body;

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
    const page = await context.newPage();
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#name')).toBe('腾讯视频VIP 1个月');
    expect(await page.title()).toBe('腾讯视频VIP 1个月 · 领取权益');
    expect(await page.textContent('#meta')).toContain('连续包月首期');
    await page.click('#reveal');
    await page.waitForSelector('#result:not([hidden])');
    const shown = await page.$$eval('.secret', (els) => els.map((e) => e.textContent));
    expect(shown).toEqual([(secret as { card_number: string }).card_number, (secret as { password: string }).password]);
    expect(await page.textContent('#howto')).toContain('腾讯视频');
    await page.click('.copy');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe((secret as { card_number: string }).card_number);
    if (process.env.QUANYI_SCREENSHOTS) await page.screenshot({ path: `${process.env.QUANYI_SCREENSHOTS}/redeem.png` });

    // reopening the link shows it as taken and still reveals the same code
    await page.reload();
    await expect.poll(() => page.textContent('#reveal')).toBe('再次查看卡密');
    const g = await client.request('GET', `/v1/grants/${grant.id}`);
    expect(g.body.status).toBe('redeemed');
    await context.close();
  });

  it('tells the holder of an unknown or cancelled link what happened', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.url}/r/${'x'.repeat(43)}`);
    await expect.poll(() => page.textContent('#status')).toContain('链接无效');
    // every error state says what happened in the heading and the tab title, never "加载中…" (issue 5 §4)
    expect(await page.textContent('#name')).toBe('链接无效');
    expect(await page.title()).toBe('链接无效 · 领取权益');

    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'v' } }, { idempotencyKey: idem() })).body;
    await client.request('POST', `/v1/grants/${grant.id}/void`, {});
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#status')).toContain('已被发放方取消');
    expect(await page.textContent('#name')).toBe('权益已取消');
    expect(await page.title()).toBe('权益已取消 · 领取权益');
    expect(await page.isHidden('#reveal')).toBe(true);
    await page.close();
  });

  it('names the expired, throttled and unreachable states in the heading and the tab title', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'e' }, expires_at: new Date(Date.now() + 1500).toISOString() }, { idempotencyKey: idem() })).body;
    expect(grant.redeem_url).toBeTruthy();
    const page = await browser.newPage();
    await new Promise((r) => setTimeout(r, 1600));
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#status')).toContain('已过期');
    expect(await page.textContent('#name')).toBe('权益已过期');
    expect(await page.title()).toBe('权益已过期 · 领取权益');

    // the API answers 429 or cannot be reached: still a heading that says so
    await page.route('**/v1/redeem/**', (route) => route.fulfill({ status: 429, contentType: 'application/problem+json', body: JSON.stringify({ status: 429, code: 'rate_limited' }) }));
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#name')).toBe('请稍后再试');
    expect(await page.title()).toBe('请稍后再试 · 领取权益');
    await page.unroute('**/v1/redeem/**');
    await page.route('**/v1/redeem/**', (route) => route.abort('connectionrefused'));
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#name')).toBe('网络异常');
    expect(await page.title()).toBe('网络异常 · 领取权益');
    expect(await page.textContent('#status')).toContain('网络异常');
    await page.close();
  });
});
