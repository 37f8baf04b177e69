import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';

// The redeem page in a real headless Chromium (Debian's package), on a phone-sized screen. CI installs
// Chromium and always runs this (it fails there if Chromium is missing); on a developer machine without it
// the file reports itself skipped with the reason, so `npm test` works on a fresh checkout.
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const runBrowser = Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
if (!runBrowser) console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

let h: Harness;
let browser: Browser;

beforeAll(async () => {
  if (!runBrowser) return;
  h = await createHarness();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
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

    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'v' } }, { idempotencyKey: idem() })).body;
    await client.request('POST', `/v1/grants/${grant.id}/void`, {});
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.textContent('#status')).toContain('已被发放方取消');
    expect(await page.isHidden('#reveal')).toBe(true);
    await page.close();
  });
});
