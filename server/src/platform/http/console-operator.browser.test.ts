import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFanOut } from '../../modules/webhooks/index.ts';
import { consoleEnvironment, createProductThroughForm, importThroughDrop, runBrowser, shot, signIn, watch, workflowEntries } from '../../testutil/console-browser.ts';
import { http as request, idem, type SignedClient } from '../../testutil/harness.ts';

// Issue 6's "done when", end to end in headless Chromium against the real server, in zh-CN and en-US: an
// operator (not an admin) signs in, creates a product, imports codes and watches 100%; a grant issued through
// the signed API is found by out_order_no and by phone, its trail shows the issue; the recipient reveals it
// through the public redeem API and the trail shows the reveal; a second, unrevealed grant is voided with a
// reason (a revealed grant is redeemed, which the domain does not let anyone void) and the list shows it
// voided; a CSV export of the grants downloads and holds the grant's row. A support user sees no import, no
// keys, no exports, and gets 403 from the pages and the API behind them. No console error, no missing key.
const OPERATOR = 'operator@example.com';
const SUPPORT = 'support@example.com';
// the client's webhook endpoint is a receiver on loopback (allowed in tests only), so the trail has deliveries
const env = consoleEnvironment(
  [
    { email: OPERATOR, role: 'operator' },
    { email: SUPPORT, role: 'support' },
  ],
  { env: { QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' } },
);
let client: SignedClient;
let receiver: http.Server;
let fanOut: { stop(): Promise<void> };
beforeAll(async () => {
  if (!runBrowser) return;
  receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(204).end()));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  client = await env.h.client(['grants:write', 'grants:read', 'webhooks:write']);
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  expect((await client.request('POST', '/v1/webhooks/endpoints', { url }, { idempotencyKey: idem() })).status).toBe(201);
  fanOut = startFanOut(env.h.ctx, { intervalMs: 100 });
});
afterAll(async () => {
  await fanOut?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

const LANGS = {
  'zh-CN': {
    created: '商品已创建', grants: '权益发放', exports: '数据导出', issued: '已发放', redeemed: '已核销', voided: '已作废',
    revealed1: '1 次', webhooksTab: 'Webhook 投递', reasonRequired: '请填写作废原因', voidDone: '权益已作废', csv: '导出 CSV', exportStarted: '导出任务已创建',
  },
  'en-US': {
    created: 'Product created', grants: 'Grants', exports: 'Exports', issued: 'Issued', redeemed: 'Redeemed', voided: 'Voided',
    revealed1: '1', webhooksTab: 'Webhook deliveries', reasonRequired: 'Enter a reason', voidDone: 'Grant voided', csv: 'Export CSV', exportStarted: 'Export started',
  },
} as const;

/** Issues a grant of `sku` through the signed client API, as a client system does. */
async function issue(sku: string, phone: string, outOrderNo: string) {
  const r = await client.request('POST', '/v1/grants', { product: sku, recipient: { phone }, out_order_no: outOrderNo }, { idempotencyKey: idem() });
  expect(r.status).toBe(201);
  return r.body as { id: string; redeem_url: string; status: string };
}

/** Fills the grants search form (the fields ProTable names after the API's query parameters) and submits it. */
async function search(page: Page, fields: { out_order_no?: string; phone?: string }) {
  await page.fill('#out_order_no', fields.out_order_no ?? '');
  await page.fill('#phone', fields.phone ?? '');
  await page.click('.ant-pro-query-filter .ant-btn-primary');
}

const rowsOf = (page: Page) => page.locator('.ant-table-tbody tr.ant-table-row');
/**
 * A screenshot once the toasts are gone (they last 3 s) and the tab's ink bar has slid over (0.3 s), named
 * `<page>` in zh-CN and `<lang>-<page>` otherwise. The viewport grows to the page's height first: the layout's
 * background is as tall as the viewport, so a full-page shot of a long page would end in a white band.
 */
async function pageShot(page: Page, lang: string, name: string) {
  await expect.poll(() => page.locator('.ant-message-notice').count(), { timeout: 10_000 }).toBe(0);
  await page.waitForTimeout(400);
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, (await page.evaluate('document.documentElement.scrollHeight')) as number) });
  await shot(page, lang === 'zh-CN' ? name : `${lang}-${name}`);
  await page.setViewportSize(size);
}

describe.runIf(runBrowser)('the operator console end to end (headless Chromium)', () => {
  for (const [lang, m] of workflowEntries(LANGS)) {
    it(`${lang}: product, import to 100%, grant found by order no. and phone, trail with issue and reveal, void with a reason, CSV export`, async () => {
      const context = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang });
      const page = await context.newPage();
      const problems = watch(page);
      const tag = `${lang.slice(0, 2)}${Date.now().toString(36)}`.toUpperCase();
      const sku = `VIP-${tag}`;
      const admin = await env.h.admin();

      await page.goto(`${env.h.url}/admin/login`);
      if (lang === 'en-US') await page.getByText('EN', { exact: true }).click();
      await signIn(page, OPERATOR);
      await page.goto(`${env.h.url}/admin/products`);
      await createProductThroughForm(page, { sku, name: `腾讯视频VIP 1个月 ${lang}`, createdText: m.created });
      await page.goto(`${env.h.url}/admin/stock`);
      await importThroughDrop(page, sku, `card_number,password\nC${sku}1,P1\nC${sku}2,P2\nC${sku}3,P3\n`);

      // two grants through the signed API: the first will be revealed, the second voided
      const phone = lang === 'zh-CN' ? '13800138001' : '13800138002';
      const first = await issue(sku, phone, `ORD-${tag}-1`);
      const second = await issue(sku, '13900139000', `ORD-${tag}-2`);
      expect([first.status, second.status]).toEqual(['issued', 'issued']);

      // found by out_order_no (exactly that grant), then by phone (typed as the recipient gave it)
      await page.getByRole('menuitem', { name: m.grants }).click();
      await page.waitForURL(/\/admin\/grants$/);
      await search(page, { out_order_no: `ORD-${tag}-1` });
      await expect.poll(() => rowsOf(page).allInnerTexts()).toEqual([expect.stringContaining(first.id)]);
      expect(await rowsOf(page).first().innerText()).toContain(m.issued);
      await search(page, { phone: `138-0013-800${phone.slice(-1)}` });
      await expect.poll(() => rowsOf(page).allInnerTexts()).toEqual([expect.stringContaining(first.id)]);
      // the phone is shown masked, never in full
      expect(await rowsOf(page).first().innerText()).not.toContain(phone);

      // the grant's page: its facts and a trail that starts with the issue
      await page.getByRole('link', { name: first.id }).click();
      await page.waitForURL(new RegExp(`/admin/grants/${first.id}$`));
      await page.locator('[data-testid=grant-timeline] [data-event="grant.issued"]').waitFor();
      expect(await page.locator('[data-testid=grant-facts]').innerText()).toContain(`ORD-${tag}-1`);

      // the recipient reveals it through the public redeem API; the trail gains the reveal, the grant is redeemed
      const token = first.redeem_url.replace(/^.*\/r\//, '');
      expect((await request(`${env.h.url}/v1/redeem/${token}/reveal`, { method: 'POST' })).status).toBe(200);
      await page.reload();
      await page.locator('[data-testid=grant-timeline] [data-event="grant.reveal"]').waitFor();
      await expect.poll(() => page.textContent('[data-testid=reveal-count]')).toBe(m.revealed1);
      expect(await page.textContent('[data-testid=grant-status]')).toBe(m.redeemed);
      // a redeemed grant cannot be voided (the grant machine: only issued → voided), so no button is offered
      expect(await page.locator('#grant-void').count()).toBe(0);
      // the client's endpoint was told (grant.issued, grant.redeemed): the trail lists each delivery try
      await expect
        .poll(async () => {
          await page.reload();
          await page.locator('[data-testid=grant-timeline]').waitFor();
          return page.locator('[data-testid=grant-timeline] [data-event="delivery.attempt"]').count();
        }, { timeout: 20_000, interval: 500 })
        .toBe(2);
      await page.getByRole('tab', { name: m.webhooksTab }).click();
      await expect.poll(() => page.locator('[data-testid=webhook-deliveries] tbody tr.ant-table-row').allInnerTexts()).toEqual([
        expect.stringMatching(/grant\.issued[\s\S]*204/),
        expect.stringMatching(/grant\.redeemed[\s\S]*204/),
      ]);
      await pageShot(page, lang, 'grant-trail');

      // void the second one: the reason is required, then the page shows the new status and the trail the void
      await page.goto(`${env.h.url}/admin/grants/${second.id}`);
      await page.click('#grant-void');
      await page.locator('.ant-modal-footer .ant-btn-dangerous').click();
      await page.getByText(m.reasonRequired).waitFor();
      expect((await admin.request('GET', `/v1/admin/grants/${second.id}`)).body.status).toBe('issued');
      await page.fill('#void-reason', `customer cancelled ${tag}`);
      await page.locator('.ant-modal-footer .ant-btn-dangerous').click();
      await page.getByText(m.voidDone).waitFor();
      await expect.poll(() => page.textContent('[data-testid=grant-status]')).toBe(m.voided);
      await page.locator('[data-testid=grant-timeline] [data-event="grant.voided"]').waitFor();
      expect(await page.locator('[data-testid=grant-timeline]').innerText()).toContain(`customer cancelled ${tag}`);
      const voided = (await admin.request('GET', `/v1/admin/grants/${second.id}`)).body;
      expect(voided.status).toBe('voided');
      expect(voided.trail).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'grant.void', details: expect.objectContaining({ reason: `customer cancelled ${tag}` }) })]));

      // the list shows it voided
      await page.getByRole('menuitem', { name: m.grants }).click();
      await page.waitForURL(/\/admin\/grants$/);
      await search(page, { out_order_no: `ORD-${tag}-2` });
      await expect.poll(() => rowsOf(page).allInnerTexts()).toEqual([expect.stringContaining(m.voided)]);

      // export what the list shows (the first grant) as CSV; follow it on the exports page and download it
      await search(page, { out_order_no: `ORD-${tag}-1` });
      await expect.poll(() => rowsOf(page).count()).toBe(1);
      await pageShot(page, lang, 'grants');
      await page.hover('[data-testid=export-grants]');
      await page.getByRole('menuitem', { name: m.csv }).click();
      await page.getByText(m.exportStarted).waitFor();
      const exp = (await admin.request('GET', '/v1/admin/exports?kind=grants&limit=1')).body.data[0];
      expect(exp).toMatchObject({ kind: 'grants', format: 'csv', filter: { out_order_no: `ORD-${tag}-1` } });
      await page.getByRole('menuitem', { name: m.exports }).click();
      await page.waitForURL(/\/admin\/exports$/);
      // the page refreshes itself until the job is done, then offers the download
      const button = page.locator(`[data-testid=download-${exp.id}]`);
      await button.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      const csv = fs.readFileSync((await download.path())!, 'utf8');
      const lines = csv.trim().split(/\r?\n/);
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(first.id);
      expect(lines[1]).toContain(`ORD-${tag}-1`);
      expect(csv).not.toContain(phone);
      await pageShot(page, lang, 'exports');

      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('a support user sees no import, keys or exports, and gets 403 for those pages and their API', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/login`);
    await signIn(page, SUPPORT);
    // support may search grants (answering customers), so the menu has them; not clients (keys) nor exports
    await page.getByRole('menuitem', { name: '权益发放' }).waitFor();
    for (const hidden of ['接入方', '数据导出']) expect(await page.getByRole('menuitem', { name: hidden }).count(), hidden).toBe(0);
    for (const url of ['/admin/clients', '/admin/exports']) {
      await page.goto(env.h.url + url);
      await page.getByText('无权访问').waitFor();
    }
    await page.goto(`${env.h.url}/admin/stock`);
    await page.getByText('库存与批次').first().waitFor();
    expect(await page.locator('.ant-upload-drag').count()).toBe(0);
    // the server is the authority: the same session gets 403 from the API behind those pages
    const headers = { 'X-Quanyi-Console': '1' };
    expect((await page.request.get(`${env.h.url}/v1/admin/clients`, { headers })).status()).toBe(403);
    expect((await page.request.post(`${env.h.url}/v1/admin/imports`, { headers, multipart: { product: 'x', file: { name: 'a.csv', mimeType: 'text/csv', buffer: Buffer.from('a\n') } } })).status()).toBe(403);
    expect((await page.request.post(`${env.h.url}/v1/admin/exports`, { headers, data: { kind: 'grants', format: 'csv' } })).status()).toBe(403);
    expect(problems).toEqual([]);
    await context.close();
  });
});
