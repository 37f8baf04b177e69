import { expect, it, describe } from 'vitest';
import { consoleEnvironment, newConsoleContext, runBrowser, signIn, watch } from '../../testutil/console-browser.ts';

// The console's product form for a choice pack (headless Chromium against the real server): kind 自选权益包
// shows the component picker and the pick count; saving creates the pack with its components in one call.
const EMAIL = 'pack-operator@example.com';
const env = consoleEnvironment([{ email: EMAIL, role: 'operator' }]);

describe.runIf(runBrowser)('console: bundle and choice-pack form', () => {
  it('zh-CN: creates a choice pack (2 of 3) through the product form', async () => {
    const parts = [await env.h.product({ name: '爱奇艺月卡' }), await env.h.product({ name: '优酷月卡' }), await env.h.product({ name: '芒果TV月卡' })];
    const context = await newConsoleContext(env.browser, 'zh-CN');
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/products`);
    await page.waitForURL(/\/admin\/login/);
    await signIn(page, EMAIL);
    await page.waitForURL(/\/admin\/products$/);

    await page.click('#product-new');
    const modal = page.locator('.ant-modal-content');
    await modal.waitFor();
    await modal.locator('#sku').fill('AV-PICK2');
    await modal.locator('#name').fill('视听自选包');
    await modal.locator('#platform').fill('mixed');
    await modal.locator('#platform').press('Enter');
    await modal.getByText('自选权益包', { exact: true }).click();
    await modal.getByText('自选权益包：发放时不占库存').waitFor();
    await modal.locator('.ant-select', { has: page.locator('#components') }).click();
    for (const p of parts) await page.locator('.ant-select-item-option', { hasText: p.sku }).click();
    await modal.locator('#name').click(); // closes the dropdown (Escape would close the modal)
    await modal.locator('#pick_count').fill('2');
    await modal.locator('#price').fill('30');
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.getByText('商品已创建').waitFor();

    const admin = await env.h.admin();
    const spec = await admin.request('GET', '/v1/admin/products/AV-PICK2/components');
    expect(spec.status).toBe(200);
    expect(spec.body).toMatchObject({ product: { kind: 'choice_pack', price: 3000 }, pick_count: 2 });
    expect(spec.body.components.map((c: { product: { id: string } }) => c.product.id)).toEqual(parts.map((p) => p.id));
    expect(problems).toEqual([]);
    await context.close();
  });
});
