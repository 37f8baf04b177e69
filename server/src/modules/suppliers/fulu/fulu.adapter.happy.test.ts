// The fulu adapter against the sandbox supplier over real sockets: orders, cards, balance, callbacks, bills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierCredentials } from '../adapters/adapter.ts';
import type { SandboxSupplier } from '../sandbox/index.ts';
import { fuluAdapter } from './fulu.adapter.ts';
import { chinaDay, signObject } from './protocol.ts';
import { APP_SECRET, orderNo, sandboxWithCreds, startCallbackReceiver, waitFor, type TestServer } from './test-helpers.ts';

let sandbox: SandboxSupplier;
let creds: SupplierCredentials;
let receiver: TestServer;

beforeAll(async () => {
  receiver = await startCallbackReceiver();
  ({ sandbox, creds } = await sandboxWithCreds({ callbackUrl: `${receiver.url}/v1/callbacks/suppliers/sup_1`, priceFen: 1234 }));
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const callbacksFor = (con: string) =>
  receiver.received.map((raw) => fuluAdapter.verifyCallback(creds, raw)).filter((r) => r.ok && r.callback.customerOrderNo === con);

describe('direct recharge', () => {
  it('is accepted, reaches success by query and by a signed callback, and recharges the account once', async () => {
    const con = orderNo();
    const submitted = await fuluAdapter.submitRecharge(creds, { productId: '10000585', customerOrderNo: con, account: '13800138000', buyNum: 1 });
    expect(submitted).toMatchObject({ kind: 'accepted', duplicate: false, order: { customerOrderNo: con, productId: '10000585', chargeAccount: '13800138000', orderType: 4, priceFen: 1234, buyNum: 1 } });
    if (submitted.kind !== 'accepted') return;
    expect(['untreated', 'processing']).toContain(submitted.order.state);

    await waitFor(() => sandbox.order(con)?.state === 'success');
    const queried = await fuluAdapter.queryOrder(creds, con);
    expect(queried).toMatchObject({ kind: 'found', order: { orderId: submitted.order.orderId, state: 'success' } });
    if (queried.kind === 'found') expect(queried.order.finishedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    await waitFor(() => callbacksFor(con).length === 1);
    const [cb] = callbacksFor(con);
    expect(cb).toMatchObject({ ok: true, callback: { orderId: submitted.order.orderId, status: 'success', productId: '10000585', priceFen: 1234, buyNum: 1 } });
    expect(sandbox.counts.rechargesByAccount.get('13800138000')).toBe(1);
  });

  it('accepts buy_num above 1 and prices the order in 分', async () => {
    const con = orderNo();
    const r = await fuluAdapter.submitRecharge(creds, { productId: '7', customerOrderNo: con, account: 'uid-9981', buyNum: 3 });
    expect(r).toMatchObject({ kind: 'accepted', order: { buyNum: 3, priceFen: 3 * 1234 } });
  });
});

describe('card orders', () => {
  it('deliver decrypted cards once final, equal to what the supplier issued', async () => {
    const con = orderNo('po');
    const r = await fuluAdapter.buyCards(creds, { productId: '20001', customerOrderNo: con, buyNum: 3 });
    expect(r).toMatchObject({ kind: 'accepted', order: { orderType: 3, buyNum: 3, chargeAccount: null } });
    if (r.kind === 'accepted') expect(r.order.cards).toBeUndefined();
    await waitFor(() => sandbox.order(con)?.state === 'success');
    const q = await fuluAdapter.queryOrder(creds, con);
    expect(q.kind).toBe('found');
    if (q.kind !== 'found') return;
    expect(q.order.cards).toHaveLength(3);
    expect(q.order.cards).toEqual(sandbox.order(con)!.cards);
  });
});

describe('balance', () => {
  it('reads name, balance in 分 and is_open; the balance falls by each order', async () => {
    const before = await fuluAdapter.queryBalance(creds);
    expect(before).toMatchObject({ kind: 'ok', name: 'sandbox supplier', isOpen: true });
    await fuluAdapter.submitRecharge(creds, { productId: '1', customerOrderNo: orderNo(), account: '13900000000', buyNum: 1 });
    const after = await fuluAdapter.queryBalance(creds);
    if (before.kind !== 'ok' || after.kind !== 'ok') throw new Error('balance not read');
    expect(before.balanceFen - after.balanceFen).toBe(1234);
    expect(after.balanceFen).toBe(sandbox.knobs.balanceFen);
  });
});

describe('callbacks', () => {
  it('duplicated and out of order (a false `failed` before `success`) all verify; dropped ones never come', async () => {
    Object.assign(sandbox.knobs, { callbackDuplicateRate: 1, callbackOutOfOrderRate: 1 });
    const con = orderNo();
    await fuluAdapter.submitRecharge(creds, { productId: '1', customerOrderNo: con, account: '13700000001', buyNum: 1 });
    await waitFor(() => callbacksFor(con).length === 3);
    expect(callbacksFor(con).map((r) => r.ok && r.callback.status)).toEqual(['failed', 'success', 'success']);

    Object.assign(sandbox.knobs, { callbackDuplicateRate: 0, callbackOutOfOrderRate: 0, callbackDropRate: 1 });
    const dropped = orderNo();
    await fuluAdapter.submitRecharge(creds, { productId: '1', customerOrderNo: dropped, account: '13700000002', buyNum: 1 });
    await waitFor(() => sandbox.order(dropped)?.state === 'success');
    await new Promise((r) => setTimeout(r, 100));
    expect(callbacksFor(dropped)).toHaveLength(0);

    Object.assign(sandbox.knobs, { callbackDropRate: 0, callbackDelayMs: 300 });
    const delayed = orderNo();
    await fuluAdapter.submitRecharge(creds, { productId: '1', customerOrderNo: delayed, account: '13700000003', buyNum: 1 });
    await waitFor(() => sandbox.order(delayed)?.state === 'success');
    expect(callbacksFor(delayed)).toHaveLength(0);
    await waitFor(() => callbacksFor(delayed).length === 1);
    sandbox.knobs.callbackDelayMs = 0;
  });

  it('a final failure is called back as failed and refunds the balance', async () => {
    sandbox.knobs.failRate = 1;
    const before = sandbox.knobs.balanceFen;
    const con = orderNo();
    await fuluAdapter.submitRecharge(creds, { productId: '1', customerOrderNo: con, account: '13700000004', buyNum: 1 });
    await waitFor(() => callbacksFor(con).length === 1);
    expect(callbacksFor(con)[0]).toMatchObject({ ok: true, callback: { status: 'failed', operatorSerialNumber: null } });
    expect(sandbox.knobs.balanceFen).toBe(before);
    expect(sandbox.counts.rechargesByAccount.get('13700000004')).toBeUndefined();
    sandbox.knobs.failRate = 0;
  });

  it('verifyCallback refuses tampered, unsigned, empty-signed and malformed bodies', () => {
    const body = {
      order_id: 'SB1', customer_order_no: 'rco_x-1', order_status: 'success', recharge_description: '充值成功', product_id: 1,
      price: '12.3400', buy_num: 1, charge_finish_time: '2026-11-29 22:00:00', operator_serial_number: 'abc/1',
    };
    const signed = { ...body, sign: signObject(body, APP_SECRET) };
    expect(fuluAdapter.verifyCallback(creds, JSON.stringify(signed))).toMatchObject({ ok: true, callback: { priceFen: 1234, operatorSerialNumber: 'abc/1' } });
    // numeric strings are tolerated when signed that way
    const stringy = { ...body, product_id: '1', buy_num: '1' };
    expect(fuluAdapter.verifyCallback(creds, JSON.stringify({ ...stringy, sign: signObject(stringy, APP_SECRET) }))).toMatchObject({ ok: true, callback: { productId: '1', buyNum: 1 } });
    for (const raw of [
      JSON.stringify({ ...signed, order_status: 'failed' }),
      JSON.stringify({ ...signed, sign: '' }),
      JSON.stringify(body),
      JSON.stringify({ ...signed, sign: signObject(body, 'other secret') }),
      '',
      'not json',
      '[]',
      'x'.repeat(70_000),
    ]) {
      expect(fuluAdapter.verifyCallback(creds, raw).ok).toBe(false);
    }
    const badStatus = { ...body, order_status: 'done' };
    expect(fuluAdapter.verifyCallback(creds, JSON.stringify({ ...badStatus, sign: signObject(badStatus, APP_SECRET) }))).toEqual({ ok: false, reason: 'order_status invalid' });
  });
});

describe('bills', () => {
  it('fetches the day bill and parses every final order of the day', async () => {
    const con = orderNo();
    await fuluAdapter.submitRecharge(creds, { productId: '55', customerOrderNo: con, account: '13600000000', buyNum: 1 });
    await waitFor(() => sandbox.order(con)?.state === 'success');
    const bill = await fuluAdapter.fetchBill(creds, chinaDay());
    expect(bill.kind).toBe('ok');
    if (bill.kind !== 'ok') return;
    expect(bill.lines.find((l) => l.customerOrderNo === con)).toMatchObject({ productId: '55', chargeAccount: '13600000000', priceFen: 1234, state: 'success', buyNum: 1 });
    expect(new Set(bill.lines.map((l) => l.orderId)).size).toBe(bill.lines.length);
    const empty = await fuluAdapter.fetchBill(creds, '2020-01-01');
    expect(empty).toEqual({ kind: 'ok', lines: [] });
  });

  it('parseBill reads quoting, a BOM and 4-decimal prices; refuses a broken bill whole, naming the line', () => {
    const csv =
      '\ufefforder_id,customer_order_no,product_id,charge_account,buy_num,order_price,order_state,finish_time\n' +
      'SB1,"rco_a,1",10,"acc ""x""",2,9.8500,success,2026-11-29 10:00:00\n' +
      'SB2,rco_b-1,11,,1,0.29,failed,\n';
    expect(fuluAdapter.parseBill(csv)).toEqual([
      { orderId: 'SB1', customerOrderNo: 'rco_a,1', productId: '10', chargeAccount: 'acc "x"', buyNum: 2, priceFen: 985, state: 'success', finishedAt: '2026-11-29 10:00:00' },
      { orderId: 'SB2', customerOrderNo: 'rco_b-1', productId: '11', chargeAccount: null, buyNum: 1, priceFen: 29, state: 'failed', finishedAt: null },
    ]);
    expect(() => fuluAdapter.parseBill(csv.replace('9.8500', '9,85'))).toThrow(/bill/);
    expect(() => fuluAdapter.parseBill(csv.replace('0.29', 'abc'))).toThrow(/bill line 3: order_price/);
    expect(() => fuluAdapter.parseBill(csv.replace('failed', 'lost'))).toThrow(/bill line 3: order_state/);
    expect(() => fuluAdapter.parseBill('order_id,customer_order_no\nA,B\n')).toThrow(/lacks the column/);
    expect(() => fuluAdapter.parseBill('')).toThrow(/no header/);
  });
});
