import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleEnvironment, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';

// The delivery pages of the console an operator works with, in headless Chromium: a recipient list uploaded
// on the bulk page and issued (progress to 已完成, the per-row report downloaded), a list with no good row
// refused with its rows' problems; a link batch created (the client typed: an operator may not list client
// keys) and its links downloaded. Nothing mocked: the server's job runner issues.
const OPERATOR = 'delivery-operator@example.com';
const env = consoleEnvironment([{ email: OPERATOR, role: 'operator' }]);
// an operator's console asks for the client list once and is refused (clients:read is admin's): expected
const CLIENTS_403: [number, RegExp] = [403, /\/v1\/admin\/clients$/];

async function operatorPage(expected: [number, RegExp][] = []) {
  const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  const problems = watch(page, [CLIENTS_403, ...expected]);
  await page.goto(`${env.h.url}/admin/login`);
  await signIn(page, OPERATOR);
  return { context, page, problems };
}

describe.runIf(runBrowser)('delivery pages of the console (headless Chromium)', () => {
  it('bulk: a list uploaded and issued, its report downloaded; a list with no good row refused with its problems', async () => {
    const client = await env.h.client();
    const product = await env.h.product({ name: '腾讯视频VIP月卡' });
    await env.h.stock(product.id, 3);
    // the list with no good row is answered 400, by design
    const { context, page, problems } = await operatorPage([[400, /\/v1\/admin\/bulk-issuances$/]]);
    await page.goto(`${env.h.url}/admin/bulk`);
    await page.locator('#bulk-client').fill(client.id);
    await page.locator('#bulk-product').fill(product.sku);
    await page.locator('.ant-select-item-option', { hasText: product.sku }).waitFor();
    await page.locator('#bulk-product').press('Enter');
    const csv = 'phone,external_id\n13900000001,emp-1\n13900000002,emp-2\nnot-a-phone,emp-3\n13900000001,emp-1\n';
    await page.setInputFiles('.ant-upload input[type=file]', { name: '员工名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText(/已创建批量任务 blk_/).waitFor();
    const [run] = (await (await env.h.admin()).request('GET', '/v1/admin/bulk-issuances')).body.data;
    const row = page.locator('.ant-table-tbody tr.ant-table-row', { hasText: run.id });
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toMatch(/已完成/);
    expect(await row.innerText()).toContain('2/2 已处理 · 成功 2 · 失败 0 · 拒绝 1 · 重复 1');
    expect(await row.innerText()).toContain('员工名单.csv');
    await shot(page, 'zh-CN-bulk');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=report-${run.id}]`)]);
    const report = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
    expect(report).toHaveLength(5); // the header and every row of the list
    expect(report.filter((l) => l.includes('issued'))).toHaveLength(2);
    expect(report.some((l) => l.includes('rejected') && l.includes('invalid_phone'))).toBe(true);
    expect(report.join('\n')).not.toContain('13900000001'); // phones are masked in the report

    await page.setInputFiles('.ant-upload input[type=file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('phone\n12\nabc\n') });
    const problem = page.locator('[data-testid=bulk-problem]');
    await problem.waitFor();
    expect(await problem.innerText()).toMatch(/row 2: invalid_phone[\s\S]*row 3: invalid_phone/);
    expect((await (await env.h.admin()).request('GET', '/v1/admin/bulk-issuances')).body.data).toHaveLength(1);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('links: a batch created with the client typed, issued, its links downloaded as CSV', async () => {
    const client = await env.h.client();
    const product = await env.h.product({ name: '爱奇艺黄金VIP月卡' });
    await env.h.stock(product.id, 3);
    const { context, page, problems } = await operatorPage();
    await page.goto(`${env.h.url}/admin/links`);
    await page.click('[data-testid=links-new]');
    const modal = page.locator('.ant-modal-content');
    await modal.waitFor();
    await modal.locator('#links-client').fill(client.id);
    await modal.locator('#product').fill(product.sku);
    await page.locator('.ant-select-item-option', { hasText: product.sku }).waitFor();
    await modal.locator('#product').press('Enter');
    await modal.locator('#count').fill('3');
    await modal.locator('#label').fill('地铁海报');
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.getByText('正在发放 3 个链接').waitFor();
    const [batch] = (await (await env.h.admin()).request('GET', '/v1/admin/link-batches')).body.data;
    expect(batch).toMatchObject({ client_id: client.id, product_id: product.id, count: 3, label: '地铁海报' });
    const row = page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '地铁海报' });
    await expect.poll(() => row.innerText(), { timeout: 20_000 }).toMatch(/已完成[\s\S]*3 \/ 3/);
    await shot(page, 'zh-CN-links');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=links-csv-${batch.id}]`)]);
    const lines = fs.readFileSync((await download.path())!, 'utf8').replace(/^\ufeff/, '').trim().split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes(`${env.h.url}/r/`))).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
