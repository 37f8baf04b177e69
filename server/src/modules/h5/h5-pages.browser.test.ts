import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPack, issue } from '../../flows/bundles/bundles.testkit.ts';
import { createKit, type Kit } from '../../flows/recharge/recharge.testkit.ts';
import { launchChromium, runBrowser, shot, watch } from '../../testutil/console-browser.ts';
import { idem } from '../../testutil/harness.ts';
import { H5_JS_BUDGET, phoneContext } from '../../testutil/phone-browser.ts';
import { makeCodes } from '../redemption/redemption.testkit.ts';
import { createSet } from '../redemption/redemption.service.ts';

// The H5 pages of packs, account entry and redemption codes on a phone (headless Chromium against the real
// server, one shared browser): nothing mocked — the choice pack runs out for real while the page is open, the
// direct recharge goes through the sandbox supplier and the job runner, the redemption code is generated and
// claimed. Each page's JavaScript stays within the 50 KB budget (docs/h5.md). The cases are independent (own
// products, grants and browser contexts) and run concurrently: most of their time is waiting for polls.

let k: Kit;
let browser: Browser;
beforeAll(async () => {
  if (!runBrowser) return;
  k = await createKit({ suppliers: [{}] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await k?.close();
});

/** A phone page that records its script bytes and the API calls it makes. */
async function phonePage(expected: Array<[number, RegExp]> = []) {
  const context = await phoneContext(browser);
  const page = await context.newPage();
  const problems = watch(page, expected);
  const scripts = { bytes: 0 };
  const calls: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/v1/')) calls.push(`${r.method()} ${new URL(r.url()).pathname}`); });
  page.on('response', async (r) => { if (r.request().resourceType() === 'script') scripts.bytes += (await r.body()).length; });
  return { context, page, problems, scripts, calls };
}

const texts = (page: Page, sel: string) => page.$$eval(sel, (els) => els.map((e) => e.textContent ?? ''));
const card = (p: { name: string }) => k.h.product({ name: p.name, platform: 'iqiyi' });
/** stocked card codes (card number + password, as the harness makes them) */
const stock = async (productId: string, n: number) => (await k.h.stock(productId, n)) as Array<{ card_number: string; password: string }>;

describe.runIf(runBrowser).concurrent('H5 pages for packs, account entry and redemption codes (headless Chromium, phone)', () => {
  it('choice pack: pick 2 of 3; one runs out while the page is open → 409 → 已抢光, pick another → reveal both', async ({ expect }) => {
    const [a, b, c] = [await card({ name: '爱奇艺月卡' }), await card({ name: '优酷月卡' }), await card({ name: '芒果TV月卡' })];
    await stock(a.id, 1);
    const [sb] = await stock(b.id, 1);
    const [sc] = await stock(c.id, 1);
    const pack = await createPack(k.h, { kind: 'choice_pack', name: '视听自选包', components: [a.sku, b.sku, c.sku], pick_count: 2 });
    const grant = (await issue(k.client, pack.product.sku)).body;
    const { context, page, problems, scripts } = await phonePage([[409, /\/pick$/]]);
    await page.goto(grant.redeem_url);
    expect(await page.textContent('#pack')).toContain('优酷月卡'); // the first screen, from the server
    await expect.poll(() => page.locator('#options .opt').count()).toBe(3);
    expect(await page.textContent('#pick-count')).toBe('已选 0/2');

    // someone takes a's last code while the recipient chooses
    expect((await k.client.request('POST', '/v1/grants', { product: a.sku, recipient: { external_id: 'other' } }, { idempotencyKey: idem() })).status).toBe(201);
    await page.tap(`#opt-${a.id}`);
    await page.tap(`#opt-${b.id}`);
    expect(await page.textContent('#pick-count')).toBe('已选 2/2');
    await page.tap('#pick');
    await expect.poll(() => page.textContent('#pick-error')).toContain('「爱奇艺月卡」已抢光');
    expect(await page.isDisabled(`#opt-${a.id}`)).toBe(true);
    expect(await page.textContent(`#opt-${a.id}`)).toContain('已抢光');
    expect(await page.textContent('#pick-count')).toBe('已选 1/2');
    await shot(page, 'h5-choice-pack-sold-out');

    await page.tap(`#opt-${c.id}`);
    await page.tap('#pick');
    await expect.poll(() => page.locator('#pack .item').count()).toBe(2);
    expect(await page.isVisible('#warning')).toBe(true);
    await page.tap('#reveal');
    await expect.poll(() => texts(page, '#pack .secret')).toEqual([sb.card_number, sb.password, sc.card_number, sc.password]);
    expect(await texts(page, '#pack .state')).toEqual(['已领取', '已领取']);
    expect(await page.isVisible('#warning')).toBe(false);
    expect(scripts.bytes).toBeGreaterThan(0);
    expect(scripts.bytes).toBeLessThanOrEqual(H5_JS_BUDGET);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('choice pack with a direct-recharge option: the account is asked for at the pick, then 充值成功', async ({ expect }) => {
    const x = await card({ name: '哔哩哔哩月卡' });
    await stock(x.id, 1);
    const pack = await createPack(k.h, { kind: 'choice_pack', name: '自选直充包', components: [x.sku, k.product.sku], pick_count: 1 });
    const grant = (await issue(k.client, pack.product.sku)).body;
    const { context, page, problems } = await phonePage();
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.locator('#options .opt').count()).toBe(2);
    expect(await page.isVisible('#account-input')).toBe(false);
    await page.tap(`#opt-${k.product.id}`);
    expect(await page.isVisible('#account-input')).toBe(true);
    await page.tap('#pick');
    expect(await page.textContent('#account-error')).toContain('请输入');
    await page.fill('#account-input', '13912340002');
    await page.tap('#pick');
    await expect.poll(() => page.locator('#pack .item').count()).toBe(1);
    expect(await page.textContent('#pack')).toContain('139****0002');
    expect(await page.isVisible('#reveal')).toBe(false); // nothing to reveal: a recharge
    await expect.poll(() => texts(page, '#pack .state'), { timeout: 15_000 }).toEqual(['充值成功']);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('bundle: every component with its state; the reveal shows the card code, the direct recharge goes pending → 充值成功', async ({ expect }) => {
    const tv = await card({ name: '腾讯视频月卡' });
    const [secret] = await stock(tv.id, 1);
    const pack = await createPack(k.h, { kind: 'bundle', name: '追剧宅家礼包', components: [tv.sku, k.product.sku] });
    const grant = (await issue(k.client, pack.product.sku, { external_id: 'u-bundle', account: '13912340001' })).body;
    const { context, page, problems } = await phonePage();
    await page.goto(grant.redeem_url);
    await expect.poll(() => page.locator('#pack .item').count()).toBe(2);
    expect(await page.textContent('#pack')).toContain('139****0001');
    await page.tap('#reveal');
    await expect.poll(() => texts(page, '#pack .secret')).toEqual([secret.card_number, secret.password]);
    await expect.poll(() => texts(page, '#pack .state'), { timeout: 15_000 }).toEqual(['已领取', '充值成功']);
    await shot(page, 'h5-bundle');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('direct recharge issued without an account: input, confirm, a real recharge through the sandbox → 充值成功', async ({ expect }) => {
    const grant = (await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'flyer' } }, { idempotencyKey: idem() })).body;
    const { context, page, problems, scripts } = await phonePage();
    await page.goto(grant.redeem_url);
    await page.waitForSelector('#account-input');
    expect(await page.textContent('#account-entry')).toContain('手机号 / 平台 UID');
    await page.fill('#account-input', 'a b');
    await page.tap('#account-next');
    expect(await page.textContent('#account-error')).toContain('账号格式不正确');
    await page.fill('#account-input', '138 1234 0000');
    await page.tap('#account-next');
    expect(await page.textContent('#account-confirm')).toContain('充值到 138****0000？充值后无法更改');
    await shot(page, 'h5-account-confirm');
    await page.tap('#account-submit');
    await expect.poll(() => page.textContent('#recharge-state')).toMatch(/充值处理中|充值成功/);
    expect(await page.textContent('#account')).toContain('138****0000');
    await expect.poll(() => page.textContent('#recharge-state'), { timeout: 15_000 }).toBe('充值成功');
    const done = await k.waitFinal(grant.id);
    expect(done).toMatchObject({ status: 'redeemed', recipient: { account: '138****0000' } });
    expect(scripts.bytes).toBeLessThanOrEqual(H5_JS_BUDGET);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('another tab got there first: 409 recharge_already_started and 409 choice_already_picked reload the state', async ({ expect }) => {
    const grant = (await k.client.request('POST', '/v1/grants', { product: k.product.sku, recipient: { external_id: 'tab' } }, { idempotencyKey: idem() })).body;
    const y = await card({ name: '芒果TV季卡' });
    await stock(y.id, 1);
    const z = await card({ name: '优酷季卡' });
    const [sz] = await stock(z.id, 1);
    const pack = await createPack(k.h, { kind: 'choice_pack', name: '二选一', components: [y.sku, z.sku], pick_count: 1 });
    const packGrant = (await issue(k.client, pack.product.sku)).body;
    const { context, page, problems } = await phonePage([[409, /\/(recharge|pick)$/]]);
    await page.goto(grant.redeem_url);
    await page.waitForSelector('#account-input');
    const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const api = (g: { redeem_url: string }) => `${k.h.url}/v1/redeem/${g.redeem_url.split('/r/')[1]}`;
    expect((await post(`${api(grant)}/recharge`, { account: '13912340003' })).status).toBe(202);
    await page.fill('#account-input', '13800000000');
    await page.tap('#account-next');
    await page.tap('#account-submit');
    await expect.poll(() => page.textContent('#account')).toContain('139****0003'); // the recharge that started
    await expect.poll(() => page.textContent('#recharge-state'), { timeout: 15_000 }).toBe('充值成功');

    await page.goto(packGrant.redeem_url);
    await expect.poll(() => page.locator('#options .opt').count()).toBe(2);
    expect((await post(`${api(packGrant)}/pick`, { products: [z.id] })).status).toBe(200);
    await page.tap(`#opt-${y.id}`);
    await page.tap('#pick');
    await expect.poll(() => texts(page, '#pack .item b')).toEqual(['优酷季卡']);
    await page.tap('#reveal');
    await expect.poll(() => texts(page, '#pack .secret')).toEqual([sz.card_number, sz.password]);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('redemption code: a typo is caught in the page (no request), then the right code → claimed → revealed', async ({ expect }) => {
    const product = await card({ name: '爱奇艺黄金VIP月卡' });
    const [secret] = await stock(product.id, 1);
    const set = await createSet(k.h.ctx, { name: 'H5 兑换码', client_id: k.client.id, product: product.id, ends_at: new Date(Date.now() + 86_400_000).toISOString() }, 'usr_test');
    const [code] = await makeCodes(k.h, set.id, 1);
    const last = code.at(-1)!;
    const typo = code.slice(0, -1) + (last === 'A' ? 'B' : 'A'); // a wrong check character
    const { context, page, problems, scripts, calls } = await phonePage();
    await page.goto(`${k.h.url}/x/${typo}`); // as from a QR code: prefilled, the typo told at once
    expect(await page.inputValue('#code')).toBe(typo);
    await expect.poll(() => page.textContent('#code-error')).toBe('兑换码有误，请检查');
    await page.tap('#claim');
    expect(await page.textContent('#code-error')).toBe('兑换码有误，请检查');
    expect(calls).toEqual([]); // nothing sent: a typo is not a guess
    expect(scripts.bytes).toBeLessThanOrEqual(H5_JS_BUDGET);

    // typed as people do: lower case, in groups with dashes and spaces
    await page.fill('#code', code.toLowerCase().match(/.{1,4}/g)!.join('- '));
    await page.tap('#claim');
    await page.waitForURL(/\/r\//);
    expect(calls).toContain('POST /v1/public/redemption/claim');
    await expect.poll(() => page.textContent('#name')).toBe('爱奇艺黄金VIP月卡');
    await page.tap('#reveal');
    await page.waitForSelector('#result:not([hidden])');
    expect(await texts(page, '#result .secret')).toEqual([secret.card_number, secret.password]);
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });

  it('redemption code: an exhausted code says so', async ({ expect }) => {
    const product = await card({ name: '优酷VIP月卡' });
    await stock(product.id, 2);
    const set = await createSet(k.h.ctx, { name: 'H5 单次码', client_id: k.client.id, product: product.id, max_redemptions: 1, ends_at: new Date(Date.now() + 86_400_000).toISOString() }, 'usr_test');
    const [code] = await makeCodes(k.h, set.id, 1);
    const { context, page, problems } = await phonePage([[409, /redemption\/claim$/]]);
    expect((await k.client.request('POST', '/v1/redemption-codes/claim', { code, recipient: { external_id: 'first' } }, { idempotencyKey: idem() })).status).toBe(201);
    await page.goto(`${k.h.url}/x`);
    await page.fill('#code', code);
    await page.tap('#claim');
    await expect.poll(() => page.textContent('#code-error')).toBe('该兑换码已被兑换完。');
    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });
});
