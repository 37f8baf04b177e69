import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { consoleEnvironment, newConsoleContext, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';
import { idem } from '../../testutil/harness.ts';

// The console's H5 pieces in headless Chromium: the brands page (create through the form with the phone
// preview following the fields, upload a logo) and the QR button on a grant's page.
const env = consoleEnvironment([{ email: 'op@example.com', role: 'operator' }]);

describe.runIf(runBrowser)('console: H5 brands and grant QR codes', () => {
  it('creates a brand with the live phone preview, uploads its logo, and shows a grant\'s QR code', async () => {
    const { h, browser } = env;
    const context = await newConsoleContext(browser, 'zh-CN');
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${h.url}/admin/brands`);
    await signIn(page, 'op@example.com');
    await page.goto(`${h.url}/admin/brands`);
    await page.click('#brand-new');
    await page.fill('#brand-name', '星河银行');
    await page.fill('#brand-phone', '95555');
    await page.fill('#brand-footer', '活动解释权归星河银行');
    const preview = page.getByTestId('brand-preview');
    await expect.poll(() => preview.textContent()).toContain('星河银行');
    expect(await preview.textContent()).toContain('客服电话 95555');
    expect(await preview.textContent()).toContain('活动解释权归星河银行');
    await page.click('#brand-save');
    await page.getByText('品牌已保存').waitFor();
    const logo = await QRCode.toBuffer('logo', { type: 'png', width: 64 });
    await page.setInputFiles('.ant-drawer input[type=file]', { name: 'logo.png', mimeType: 'image/png', buffer: logo });
    await expect.poll(() => preview.locator('img').count()).toBe(1);
    await expect.poll(() => preview.locator('img').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await shot(page, 'zh-CN-brands');
    const brands = (await (await h.admin()).request('GET', '/v1/admin/brands')).body.data;
    expect(brands).toEqual([expect.objectContaining({ name: '星河银行', service_phone: '95555', logo_url: expect.stringMatching(/^\/h5\/logos\//) })]);
    // the list gives the links of the pages that belong to no client or campaign, in this brand
    await page.keyboard.press('Escape');
    await page.getByText(`/x?brand=${brands[0].id}`).waitFor();
    expect(await page.getByText(`/me?brand=${brands[0].id}`).isVisible()).toBe(true);
    await shot(page, 'zh-CN-brands-list');

    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const grant = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'qr' } }, { idempotencyKey: idem() })).body;
    await page.goto(`${h.url}/admin/grants/${grant.id}`);
    await page.click('#grant-qr');
    const img = page.getByTestId('grant-qr-image');
    await img.waitFor();
    await expect.poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    expect(await page.textContent('.ant-modal-content')).toContain('任何人扫描此二维码都可以领取该权益');
    expect(await page.getAttribute('#grant-qr-download', 'download')).toBe(`${grant.id}-qr.png`);
    const audit = await h.ctx.db.selectFrom('audit_events').select('action').where('target', '=', grant.id).execute();
    expect(audit.map((a) => a.action)).toContain('grant.qr');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });
});
