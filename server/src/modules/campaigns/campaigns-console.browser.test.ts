import { describe, expect, it } from 'vitest';
import { consoleEnvironment, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';

// The campaign links page in headless Chromium: an operator creates a live campaign through the form, sees
// it in the list with its budget, opens its link and QR code, and pauses it. No console error.
const OPERATOR = 'campaigns-operator@example.com';
const env = consoleEnvironment([{ email: OPERATOR, role: 'operator' }]);

describe.runIf(runBrowser)('campaign links page (headless Chromium)', () => {
  it('creates a campaign, shows its link and QR code, pauses it', async () => {
    const client = await env.h.client();
    const product = await env.h.product({ name: '爱奇艺黄金会员月卡' });
    const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/login`);
    await signIn(page, OPERATOR);
    await page.goto(`${env.h.url}/admin/campaigns`);

    await page.click('#campaign-new');
    const modal = page.locator('.ant-modal-content');
    await modal.waitFor();
    await modal.locator('#name').fill('开学季福利');
    // an operator may not list client keys: the client id is typed; the product is picked once listed
    await modal.locator('#client').fill(client.id);
    await modal.locator('#product').fill(product.sku);
    await page.locator('.ant-select-item-option', { hasText: product.sku }).waitFor();
    await modal.locator('#product').press('Enter');
    await modal.locator('#budget').fill('25');
    await modal.locator('#activate').click();
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();

    const row = page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '开学季福利' });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => row.innerText()).toMatch(/进行中[\s\S]*已领 0 \/ 25，剩余 25/);
    await shot(page, 'zh-CN-campaigns');
    const [{ id, public_url }] = (await (await env.h.admin()).request('GET', '/v1/admin/campaigns')).body.data;

    await page.click(`[data-testid=campaign-qr-${id}]`);
    await expect.poll(() => page.locator('[data-testid=campaign-link]').innerText()).toContain(public_url);
    await expect.poll(() => page.locator('[data-testid=campaign-qr]').evaluate((img) => { const i = img as unknown as { complete: boolean; naturalWidth: number }; return i.complete && i.naturalWidth > 0; }), { timeout: 10_000 }).toBe(true);
    await page.keyboard.press('Escape');

    await page.click(`[data-testid=campaign-pause-${id}]`);
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toMatch(/已暂停/);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
