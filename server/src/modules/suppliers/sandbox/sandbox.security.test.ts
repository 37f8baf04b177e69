// The sandbox supplier refuses what DESIGN §11 says a gateway refuses, answers bad input with protocol codes
// (never a crash), and keeps its admin routes strict. Raw requests over real sockets.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, formatChinaTime, signObject, verifyResult } from '../fulu/protocol.ts';
import { APP_KEY, APP_SECRET, orderNo, sandboxWithCreds } from '../fulu/test-helpers.ts';
import type { SandboxSupplier } from './index.ts';

let sandbox: SandboxSupplier;
beforeAll(async () => {
  ({ sandbox } = await sandboxWithCreds());
});
afterAll(() => sandbox.close());

type Body = Record<string, unknown>;
interface Answer {
  code: number;
  message: string;
  result: string;
  sign: string;
}

async function post(body: string | Body): Promise<Answer> {
  const res = await fetch(sandbox.url, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
}

const resign = (b: Body, secret = APP_SECRET): Body => ({ ...b, sign: signObject(b, secret) });
const direct = (biz: Body = {}) =>
  buildRequest(APP_KEY, APP_SECRET, 'fulu.order.direct.add', { product_id: 100, customer_order_no: orderNo(), charge_account: orderNo('acct'), buy_num: 1, ...biz }) as unknown as Body;

describe('request authentication', () => {
  it('a valid request is served and its answer verifies', async () => {
    const a = await post(buildRequest(APP_KEY, APP_SECRET, 'fulu.user.info.get', {}) as unknown as Body);
    expect(a.code).toBe(0);
    expect(verifyResult(a.result, a.sign, APP_SECRET)).toBe(true);
  });

  it('1001 for a wrong, tampered, empty, missing or malformed sign — and no order is created', async () => {
    const ordersBefore = sandbox.stats().orders;
    const good = direct();
    const variants: Body[] = [
      resign(good, 'not the secret'),
      { ...good, biz_content: (good.biz_content as string).replace('"buy_num":1', '"buy_num":2') },
      { ...good, sign: '' },
      (({ sign: _s, ...rest }) => rest)(good),
      { ...good, sign: (good.sign as string).toUpperCase() },
      { ...good, sign: null },
      { ...good, sign: [good.sign] },
    ];
    for (const v of variants) {
      const a = await post(v);
      expect(a.code).toBe(1001);
      expect(verifyResult(a.result, a.sign, APP_SECRET)).toBe(true);
    }
    expect(sandbox.stats().orders).toBe(ordersBefore);
  });

  it('1002 for a timestamp out of the ±600 s window or malformed (correctly signed)', async () => {
    const now = Date.now();
    // 605 s, not 601: a timestamp is written in whole seconds (the fraction is dropped) and the sandbox reads
    // its clock a few ms later, so now + 601 s could land just inside the window (CI once saw it accepted)
    for (const timestamp of [formatChinaTime(now - 605_000), formatChinaTime(now + 605_000), new Date(now).toISOString(), '2026-02-30 10:00:00', 1764425700]) {
      const { sign: _s, ...unsigned } = direct();
      expect((await post(resign({ ...unsigned, timestamp }))).code).toBe(1002);
    }
    const { sign: _s, ...unsigned } = direct();
    expect((await post(resign({ ...unsigned, timestamp: formatChinaTime(now - 590_000) }))).code).toBe(0);
  });

  it('1003 for an unknown app_key, unsigned (no secret to sign with)', async () => {
    const a = await post(buildRequest('someone-else', APP_SECRET, 'fulu.user.info.get', {}) as unknown as Body);
    expect(a).toEqual({ code: 1003, message: 'unknown app_key', result: '', sign: '' });
  });
});

describe('parameters', () => {
  it('1004 for unreadable bodies and wrong common parameters', async () => {
    expect((await post('not json')).code).toBe(1004);
    expect((await post('[1,2]')).code).toBe(1004);
    expect((await post('')).code).toBe(1004);
    const { sign: _s, ...unsigned } = direct();
    for (const change of [{ version: '1.0' }, { format: 'xml' }, { sign_type: 'rsa' }, { charset: 'gbk' }, { biz_content: { product_id: 1 } }, { biz_content: 'not json' }, { method: 'fulu.order.delete' }, { app_auth_token: null }]) {
      expect((await post(resign({ ...unsigned, ...change }))).code).toBe(1004);
    }
  });

  it('1004 for bad business fields; numeric strings are tolerated', async () => {
    for (const biz of [{ product_id: 'abc' }, { product_id: -1 }, { product_id: 1.5 }, { buy_num: 0 }, { buy_num: '1e3' }, { charge_account: '' }, { charge_account: 5 }, { customer_order_no: '' }, { customer_order_no: 'has space' }, { customer_order_no: 'x'.repeat(65) }]) {
      expect((await post(direct(biz))).code).toBe(1004);
    }
    const a = await post(direct({ product_id: '100', buy_num: '2' }));
    expect(a.code).toBe(0);
    expect(JSON.parse(a.result)).toMatchObject({ product_id: 100, buy_num: 2, order_type: 4, order_state: 'untreated' });
  });

  it('an oversized body is refused and the server keeps serving', async () => {
    const a = await post(JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
    expect(a.code).toBe(1004);
    expect((await post(buildRequest(APP_KEY, APP_SECRET, 'fulu.user.info.get', {}) as unknown as Body)).code).toBe(0);
  });

  it('garbage on the socket gets 400 and the server keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = connect(sandbox.port, '127.0.0.1', () => s.write('\u0000\u0001 NOT HTTP\r\n\r\n'));
      let data = '';
      s.on('data', (d) => (data += d.toString()));
      s.on('close', () => resolve(data));
      s.on('error', () => resolve(data));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await post(buildRequest(APP_KEY, APP_SECRET, 'fulu.user.info.get', {}) as unknown as Body)).code).toBe(0);
  });

  it('other routes: 405 for GET on the gateway, 404 for unknown bills', async () => {
    expect((await fetch(sandbox.url)).status).toBe(405);
    expect((await fetch(`${sandbox.url}/bills/2026-02-30.csv`)).status).toBe(404);
    expect((await fetch(`${sandbox.url}/bills/../../etc/passwd`)).status).not.toBe(200);
    expect((await fetch(`${sandbox.url}/bills/2026-01-01.txt`)).status).toBe(404);
  });
});

describe('admin routes', () => {
  it('knobs change at run time; an invalid change changes nothing', async () => {
    const bad = await fetch(`${sandbox.url}/_sandbox/knobs`, { method: 'POST', body: JSON.stringify({ latencyMs: 5, failRate: 2, nope: 1 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: string[] }).errors).toEqual(['failRate: must be a number 0…1', 'nope: unknown knob']);
    expect(sandbox.knobs.latencyMs).toBe(0);
    for (const body of ['not json', '[]', 'null']) expect((await fetch(`${sandbox.url}/_sandbox/knobs`, { method: 'POST', body })).status).toBe(400);

    const ok = await fetch(`${sandbox.url}/_sandbox/knobs`, { method: 'POST', body: JSON.stringify({ errorCode: 3002, errorNext: 1, invalidAccountPrefix: 'x-' }) });
    expect(ok.status).toBe(200);
    expect(sandbox.knobs).toMatchObject({ errorCode: 3002, errorNext: 1, invalidAccountPrefix: 'x-' });
    expect((await post(direct())).code).toBe(3002);
    expect((await post(direct({ charge_account: 'x-1' }))).code).toBe(4001);
    expect(sandbox.knobs.errorNext).toBe(0);
    await fetch(`${sandbox.url}/_sandbox/knobs`, { method: 'POST', body: JSON.stringify({ errorCode: null, invalidAccountPrefix: null }) });
  });

  it('stats count orders per customer_order_no and recharges per account', async () => {
    const con = orderNo();
    await post(direct({ customer_order_no: con, charge_account: '13912345678' }));
    const dup = await post(direct({ customer_order_no: con, charge_account: '13912345678' }));
    expect(dup.code).toBe(2002);
    expect(verifyResult(dup.result, dup.sign, APP_SECRET)).toBe(true);
    expect(JSON.parse(dup.result)).toMatchObject({ customer_order_no: con });
    const start = Date.now();
    while (sandbox.order(con)?.state !== 'success' && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 10));
    const stats = (await (await fetch(`${sandbox.url}/_sandbox/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ maxRechargesPerAccount: 1, maxOrdersPerCustomerOrderNo: 1, accountsRechargedTwice: [] });
    expect((stats.rechargesByAccount as Record<string, number>)['13912345678']).toBe(1);
    expect(sandbox.counts.submitsByCustomerOrderNo.get(con)).toBe(2);
    expect((await fetch(`${sandbox.url}/_sandbox/other`)).status).toBe(404);
  });
});
