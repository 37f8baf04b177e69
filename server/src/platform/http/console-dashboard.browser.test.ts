import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../modules/catalog/index.ts';
import { createAdminUser } from '../../modules/identity/index.ts';
import { launchChromium, runBrowser, shot, signIn, watch, workflowEntries } from '../../testutil/console-browser.ts';
import { createKit, phone, type Kit } from '../../flows/recharge/recharge.testkit.ts';
import { idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';

// The dashboard in Debian's headless Chromium against the real server: activity made through the real API
// (card-code grants issued by two signed clients, some revealed, one voided; direct recharges through two
// sandbox suppliers over real sockets: delivered, declined once then failed over, failed), then the page
// opened in zh-CN and en-US. What it shows — the KPI figures, the rows of the tables beside the charts, a product filter —
// must equal direct counts over the raw tables and the dashboard API's own answers; no console error, no
// missing message key. Runs on the embedded database, and on PostgreSQL when TEST_DATABASE_URL is set.
const EMAIL = 'dash-operator@example.com';

let k: Kit;
let h: Harness;
let browser: Browser;
let admin: AdminAgent;
let low: Product; // below its safety stock after the activity
let high: Product;
const clients: SignedClient[] = [];

/** what the page writes for an amount of 分 (the page's own formatter has a unit test) */
const yuan = (fen: number) => `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toLocaleString('en-US', { minimumFractionDigits: 2 })}`;
const n = (v: unknown) => Number(v ?? 0);

beforeAll(async () => {
  if (!runBrowser) return;
  k = await createKit({ suppliers: [{ processingMs: 30 }, { processingMs: 30 }] });
  ({ h, admin } = k);
  await createAdminUser(h.ctx.db, { email: EMAIL, password: 'correct horse battery staple', role: 'operator' }, 'test');
  low = await h.product({ sku: 'DASH-LOW', name: '腾讯视频VIP月卡', price: 1999, safety_stock: 20 });
  high = await h.product({ sku: 'DASH-HIGH', name: '优酷VIP年卡', price: 16800, safety_stock: 3 });
  await h.stock(low.id, 12);
  await h.stock(high.id, 15);
  // the batches' purchase price: cost is the redeemed code's batch unit cost, read at the redemption
  await sql`UPDATE batches SET unit_cost = CASE product_id WHEN ${low.id} THEN 1500 ELSE 12000 END`.execute(h.ctx.db);
  clients.push(k.client, await h.client());

  const issue = async (c: SignedClient, p: Product, i: number) => {
    const res = await c.request('POST', '/v1/grants', { product: p.sku, recipient: { external_id: `u${i}` } }, { idempotencyKey: idem() });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, token: (res.body.redeem_url as string).split('/r/')[1] };
  };
  const plan: Array<[SignedClient, Product]> = [
    ...Array.from({ length: 5 }, () => [clients[0], low] as [SignedClient, Product]),
    ...Array.from({ length: 3 }, () => [clients[1], low] as [SignedClient, Product]),
    ...Array.from({ length: 2 }, () => [clients[0], high] as [SignedClient, Product]),
  ];
  const grants = [];
  for (const [i, [c, p]] of plan.entries()) grants.push(await issue(c, p, i));
  // reveal (= redeem) grants 0, 1, 2 (low) and 8 (high); void grant 3 (low, client 0)
  for (const g of [grants[0], grants[1], grants[2], grants[8]]) expect((await h.app.inject({ method: 'POST', url: `/v1/redeem/${g.token}/reveal` })).statusCode).toBe(200);
  expect((await clients[0].request('POST', `/v1/grants/${grants[3].id}/void`, { reason: 'customer cancelled' }, { idempotencyKey: idem() })).status).toBe(200);

  // direct recharges: two delivered; one declined by the first supplier (3001) and delivered by the second;
  // one to an account both suppliers call invalid, which fails
  const [A, B] = k.sandboxes.map((x) => x.sandbox);
  const recharge = async (account: string) => {
    const res = await k.issue(account);
    expect(res.status).toBe(202);
    return (await k.waitFinal(res.body.id)).status as string;
  };
  expect([await recharge(phone(1)), await recharge(phone(2))]).toEqual(['redeemed', 'redeemed']);
  A.knobs.errorCode = 3001;
  A.knobs.errorNext = 1;
  expect(await recharge(phone(3))).toBe('redeemed');
  for (const x of [A, B]) x.knobs.invalidAccountPrefix = '1380';
  expect(await recharge('13800000000')).toBe('failed');
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await k?.close();
});

/** The figures counted directly over the raw tables (everything happened today, inside the default 30 days). */
async function direct(product?: Product) {
  const only = product ? sql`AND g.product_id = ${product.id}` : sql``;
  const r = await sql<Record<string, string>>`
    SELECT count(*) AS issued,
           count(*) FILTER (WHERE g.status = 'redeemed') AS redeemed,
           count(*) FILTER (WHERE g.status = 'voided') AS voided,
           COALESCE(sum(p.price) FILTER (WHERE g.status = 'redeemed'), 0) AS revenue,
           count(*) FILTER (WHERE g.status = 'failed') AS failed,
           COALESCE(sum(b.unit_cost) FILTER (WHERE g.status = 'redeemed'), 0)
           + (SELECT COALESCE(sum(a.unit_cost_fen), 0) FROM recharge_attempts a JOIN recharge_orders o ON o.id = a.order_id
               WHERE a.state = 'succeeded' ${product ? sql`AND o.product_id = ${product.id}` : sql``}) AS cost
      FROM grants g JOIN products p ON p.id = g.product_id
      LEFT JOIN codes c ON c.id = g.code_id LEFT JOIN batches b ON b.id = c.batch_id
     WHERE true ${only}`.execute(h.ctx.db);
  const x = r.rows[0];
  const [issued, redeemed, voided, failed, revenue, cost] = [x.issued, x.redeemed, x.voided, x.failed, x.revenue, x.cost].map(n);
  return { issued, redeemed, voided, failed, revenue, cost, margin: revenue - cost };
}

async function settled(page: Page) {
  await page.waitForSelector('[data-testid=kpis]:not([aria-busy=true])');
  await expect.poll(() => page.locator('[aria-busy=true]').count()).toBe(0);
}

async function kpis(page: Page) {
  const read = (k: string) => page.locator(`[data-testid=kpi-${k}]`).innerText();
  return { issued: await read('issued'), redeemed: await read('redeemed'), rate: await read('rate'), revenue: await read('revenue'), cost: await read('cost'), margin: await read('margin'), failed: await read('failed') };
}

/** The cells of a panel's table, row by row. */
async function table(page: Page, id: string): Promise<string[][]> {
  // the server's tsconfig has no DOM types: the rows are plain elements here
  return page.locator(`[data-testid=table-${id}] tbody tr`).evaluateAll((trs: any[]) => trs.map((tr) => Array.from(tr.querySelectorAll('td') as ArrayLike<{ textContent: string | null }>).map((td) => (td.textContent ?? '').trim())));
}

const LANGS = {
  'zh-CN': { switchTo: null, title: '数据看板', empty: '所选期间暂无数据', today: '今天' },
  'en-US': { switchTo: 'EN', title: 'Dashboard', empty: 'No data for this period', today: 'Today' },
} as const;

describe.runIf(runBrowser)('dashboard (headless Chromium)', () => {
  for (const [lang, m] of workflowEntries(LANGS)) {
    it(`${lang}: the figures on the page equal the database and the API; the filters narrow them`, async () => {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: lang });
      const page = await context.newPage();
      const problems = watch(page);
      await page.goto(`${h.url}/admin/login`);
      if (m.switchTo) await page.getByText(m.switchTo, { exact: true }).click();
      await signIn(page, EMAIL);
      // an operator's console starts on the dashboard (the first page of the menu it may open)
      await page.waitForURL(/\/admin\/dashboard$/);
      await settled(page);
      expect(await page.locator('.ant-page-header-heading-title').innerText()).toBe(m.title);

      // KPI cards = direct counts = the API
      const db = await direct();
      // card codes: 10 issued, 4 revealed, 1 voided; recharges (price 1500; cost 900 at A, 910 at B): 4, 3 delivered (2 by A), 1 failed
      expect(db).toMatchObject({ issued: 14, redeemed: 7, voided: 1, failed: 1, revenue: 3 * 1999 + 16800 + 3 * 1500, cost: 3 * 1500 + 12000 + 2 * 900 + 910 });
      const api = (await admin.request('GET', '/v1/admin/dashboard/summary')).body;
      expect(api).toMatchObject({ issued: db.issued, redeemed: db.redeemed, voided: db.voided, failed: db.failed, revenue: db.revenue, cost: db.cost, margin: db.margin, redeemed_of_issued: 7 });
      expect(await kpis(page)).toEqual({
        issued: String(db.issued),
        redeemed: String(db.redeemed),
        rate: `${((db.redeemed / db.issued) * 100).toFixed(1)}%`,
        revenue: yuan(db.revenue),
        cost: yuan(db.cost),
        margin: yuan(db.margin),
        failed: String(db.failed),
      });

      // issued vs redeemed per day: today's row (the table lists the latest day first)
      const [todayRow] = await table(page, 'daily');
      const daily = (await admin.request('GET', '/v1/admin/dashboard/daily')).body.data.at(-1);
      expect(todayRow).toEqual([daily.day, String(db.issued), String(db.redeemed), yuan(db.revenue)]);

      // stock against safety stock: available = codes in status available now; below safety is flagged
      const avail = await sql<{ product_id: string; n: string }>`SELECT product_id, count(*) AS n FROM codes WHERE status = 'available' GROUP BY 1`.execute(h.ctx.db);
      const available = new Map(avail.rows.map((r) => [r.product_id, n(r.n)]));
      const stock = new Map((await table(page, 'stock')).map((r) => [r[0], r]));
      expect(available.get(low.id)).toBe(12 - 8 + 1); // a voided, unrevealed grant's code goes back to stock
      for (const p of [low, high]) {
        const row = stock.get(p.sku)!;
        expect(row.slice(0, 3)).toEqual([p.sku, String(available.get(p.id)), String(p.safety_stock)]);
      }
      expect(await page.locator('[data-testid=table-stock] tbody tr', { hasText: low.sku }).locator('.ant-tag-error').count()).toBe(1);
      expect(await page.locator('[data-testid=table-stock] tbody tr', { hasText: high.sku }).locator('.ant-tag-error').count()).toBe(0);
      const apiStock = (await admin.request('GET', '/v1/admin/dashboard/stock')).body.data;
      for (const s of apiStock) expect(stock.get(s.sku)?.[4]).toBe(s.days_left === null ? '-' : s.days_left < 10 ? s.days_left.toFixed(1) : String(Math.round(s.days_left)));

      // top products and volume per client: the rows the API answers, in its order, equal to grouped counts
      const byProduct = await sql<{ sku: string; issued: string; redeemed: string }>`
        SELECT p.sku, count(*) AS issued, count(*) FILTER (WHERE g.status = 'redeemed') AS redeemed
          FROM grants g JOIN products p ON p.id = g.product_id GROUP BY 1 ORDER BY 2 DESC`.execute(h.ctx.db);
      expect((await table(page, 'top-products')).map((r) => r.slice(0, 3))).toEqual(byProduct.rows.map((r) => [r.sku, String(n(r.issued)), String(n(r.redeemed))]));
      const byClient = await sql<{ client_id: string; issued: string }>`SELECT client_id, count(*) AS issued FROM grants GROUP BY 1`.execute(h.ctx.db);
      const apiClients: Array<{ client_id: string; name: string; issued: number }> = (await admin.request('GET', '/v1/admin/dashboard/clients')).body.data;
      expect(new Map(apiClients.map((c) => [c.client_id, c.issued]))).toEqual(new Map(byClient.rows.map((r) => [r.client_id, n(r.issued)])));
      expect((await table(page, 'clients')).map((r) => r.slice(0, 2))).toEqual(apiClients.map((c) => [c.name, String(c.issued)]));

      // per supplier: attempts by final state and the success rate, as counted over recharge_attempts
      const attempts = await sql<{ supplier_id: string; started: string; succeeded: string; failed: string }>`
        SELECT supplier_id, count(*) AS started, count(*) FILTER (WHERE state = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE state IN ('failed', 'rejected')) AS failed
          FROM recharge_attempts GROUP BY 1`.execute(h.ctx.db);
      const bySupplier = new Map((await table(page, 'suppliers')).map((r) => [r[0], r]));
      expect(bySupplier.size).toBe(2);
      for (const a of attempts.rows) {
        const name = k.sandboxes.find((x) => x.supplierId === a.supplier_id)!.name;
        const [started, succeeded, failed] = [a.started, a.succeeded, a.failed].map(n);
        expect(bySupplier.get(name)?.slice(0, 5)).toEqual([name, String(started), String(succeeded), String(failed), `${((succeeded / (succeeded + failed)) * 100).toFixed(1)}%`]);
      }
      // failures by reason: the failed grant's code and each failed or rejected attempt's `<state>:<code>`
      const reasons = await sql<{ reason: string; count: string }>`
        SELECT reason, count(*) AS count FROM (
          SELECT COALESCE(failure_code, 'unknown') AS reason FROM grants WHERE status = 'failed'
          UNION ALL SELECT state || COALESCE(':' || result_code, '') FROM recharge_attempts WHERE state IN ('failed', 'rejected')) x
         GROUP BY 1`.execute(h.ctx.db);
      const failures = await table(page, 'failures');
      expect(new Map(failures.map((r) => [r[1], r[2]]))).toEqual(new Map(reasons.rows.map((r) => [r.reason, String(n(r.count))])));
      expect(failures.map((r) => r[1])).toContain('rejected:3001');
      await page.waitForSelector('[data-testid=panel-daily] canvas');
      await shot(page, lang === 'zh-CN' ? 'dashboard' : 'dashboard-en');
      // in English, nothing on the page is left in Chinese (the product names only show in tooltips)
      if (lang === 'en-US') expect(await page.locator('.ant-pro-page-container').innerText()).not.toMatch(/\p{Script=Han}/u);

      // the 今天 preset: today in China time, both ends; all the activity happened today
      const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
      await page.locator('[data-testid=dashboard-presets]').getByText(m.today, { exact: true }).click();
      await page.waitForURL(new RegExp(`from=${today}&to=${today}`));
      await settled(page);
      expect(await kpis(page)).toMatchObject({ issued: String(db.issued), redeemed: String(db.redeemed) });

      // filter by product through the select: every grant figure narrows to it, the URL keeps it
      await page.click('#dashboard-product');
      await page.keyboard.type(low.sku);
      await page.keyboard.press('Enter');
      await page.waitForURL(/product=DASH-LOW/);
      await settled(page);
      const one = await direct(low);
      expect(one).toMatchObject({ issued: 8, redeemed: 3 });
      await expect.poll(() => kpis(page)).toMatchObject({ issued: String(one.issued), redeemed: String(one.redeemed), revenue: yuan(one.revenue), cost: yuan(one.cost) });
      expect((await table(page, 'stock')).map((r) => r[0])).toEqual([low.sku]);

      // filter by client (an operator may not list clients: the choices are the clients with figures)
      await page.goto(`${h.url}/admin/dashboard`);
      await settled(page);
      const second = (await admin.request('GET', '/v1/admin/dashboard/clients')).body.data.find((c: { client_id: string }) => c.client_id === clients[1].id);
      await page.click('#dashboard-client');
      await page.keyboard.type(second.name);
      await page.keyboard.press('Enter');
      await page.waitForURL(new RegExp(`client=${clients[1].id}`));
      await settled(page);
      const ofClient = await sql<{ n: string }>`SELECT count(*) AS n FROM grants WHERE client_id = ${clients[1].id}`.execute(h.ctx.db);
      // the client's figures arrive after the URL changes: poll, as for the product filter
      await expect.poll(() => kpis(page)).toMatchObject({ issued: String(n(ofClient.rows[0].n)), redeemed: '0' });

      // filter by supplier: only that supplier's attempts (a failed grant has no single supplier)
      const first = k.sandboxes[0];
      await page.goto(`${h.url}/admin/dashboard?supplier=${first.supplierId}`);
      await settled(page);
      await expect.poll(async () => (await table(page, 'suppliers')).map((r) => r[0])).toEqual([first.name]);
      const itsFailures = await sql<{ reason: string }>`
        SELECT DISTINCT state || COALESCE(':' || result_code, '') AS reason FROM recharge_attempts
         WHERE supplier_id = ${first.supplierId} AND state IN ('failed', 'rejected')`.execute(h.ctx.db);
      expect((await table(page, 'failures')).map((r) => r[1]).sort()).toEqual(itsFailures.rows.map((r) => r.reason).sort());

      // a period with nothing in it (yesterday): zeros and a dash for the rate, not 0%
      await page.goto(`${h.url}/admin/dashboard?from=2020-01-01&to=2020-01-01`);
      await settled(page);
      expect(await kpis(page)).toMatchObject({ issued: '0', rate: '-', revenue: yuan(0) });
      await page.locator('[data-testid=panel-daily]').getByText(m.empty).waitFor();

      expect(problems).toEqual([]);
      await context.close();
    });
  }
});
