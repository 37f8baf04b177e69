// Every way a supplier call can go wrong, over real sockets: the sandbox with its fault knobs, and small
// servers for answers the sandbox never gives (5xx, redirects, garbage, tampering).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SupplierCredentials } from '../adapters/adapter.ts';
import { DEFAULT_KNOBS, type SandboxSupplier } from '../sandbox/index.ts';
import { fuluAdapter } from './fulu.adapter.ts';
import { buildResponse } from './protocol.ts';
import { APP_KEY, APP_SECRET, orderNo, sandboxWithCreds, startTestServer, waitFor, type TestServer } from './test-helpers.ts';

let sandbox: SandboxSupplier;
let creds: SupplierCredentials;
const extra: TestServer[] = [];

beforeAll(async () => {
  ({ sandbox, creds } = await sandboxWithCreds({ submitTimeoutHoldMs: 2000 }));
  // warm up (module loading, first connection) so that short client timeouts measure the sandbox only
  await fuluAdapter.queryBalance(creds);
});
afterEach(async () => {
  // knobs back to the defaults the tests started from
  Object.assign(sandbox.knobs, { ...DEFAULT_KNOBS, processingMs: 20, submitTimeoutHoldMs: 2000 });
  while (extra.length) await extra.pop()!.close();
});
afterAll(() => sandbox.close());

const recharge = (c = creds, con = orderNo(), account = '13800138000', opts?: { timeoutMs?: number }) =>
  fuluAdapter.submitRecharge(c, { productId: '100', customerOrderNo: con, account, buyNum: 1 }, opts);

async function fake(reply: Parameters<typeof startTestServer>[0]): Promise<SupplierCredentials> {
  const server = await startTestServer(reply);
  extra.push(server);
  return { endpoint: server.url, appKey: APP_KEY, appSecret: APP_SECRET };
}

describe('submit timeouts: the order exists, the answer is lost', () => {
  it('a held answer is unknown (counts for the circuit); the query then finds the order, a resubmit gets 2002', async () => {
    sandbox.knobs.submitTimeoutNext = 1;
    const con = orderNo();
    const started = Date.now();
    const r = await recharge(creds, con, '13811112222', { timeoutMs: 800 });
    expect(Date.now() - started).toBeLessThan(1900); // gave up at its own timeout, not when the sandbox let go
    expect(r).toMatchObject({ kind: 'unknown', countsForCircuit: true, reason: 'timeout after 800 ms' });
    await waitFor(() => sandbox.order(con) !== undefined);
    expect(await fuluAdapter.queryOrder(creds, con)).toMatchObject({ kind: 'found', order: { customerOrderNo: con } });
    const again = await recharge(creds, con, '13811112222');
    expect(again).toMatchObject({ kind: 'accepted', duplicate: true, order: { orderId: sandbox.order(con)!.orderId } });
    expect(sandbox.counts.ordersByCustomerOrderNo.get(con)).toBe(1);
    expect(sandbox.counts.submitsByCustomerOrderNo.get(con)).toBe(2);
  });

  it('a dropped connection is unknown too', async () => {
    Object.assign(sandbox.knobs, { submitTimeoutNext: 1, submitTimeoutMode: 'drop' });
    const con = orderNo();
    const r = await recharge(creds, con);
    expect(r).toMatchObject({ kind: 'unknown', countsForCircuit: true });
    if (r.kind === 'unknown') expect(r.reason).toMatch(/^transport error/);
    expect(sandbox.order(con)).toBeDefined();
  });

  it('a slow query is unknown, never not_found', async () => {
    const con = orderNo();
    await recharge(creds, con);
    sandbox.knobs.latencyMs = 1000;
    expect(await fuluAdapter.queryOrder(creds, con, { timeoutMs: 200 })).toMatchObject({ kind: 'unknown', countsForCircuit: true });
    expect(await fuluAdapter.queryBalance(creds, { timeoutMs: 200 })).toMatchObject({ kind: 'unknown', countsForCircuit: true });
  });

  it('a closed port is unknown (transport error)', async () => {
    const server = await startTestServer(() => undefined);
    const url = server.url;
    await server.close();
    const r = await recharge({ ...creds, endpoint: url });
    expect(r).toMatchObject({ kind: 'unknown', countsForCircuit: true });
    if (r.kind === 'unknown') expect(r.reason).toMatch(/ECONNREFUSED/);
  });
});

describe('duplicates', () => {
  it('2002 answers the existing order with duplicate: true', async () => {
    const con = orderNo();
    const first = await recharge(creds, con);
    const second = await recharge(creds, con, 'another-account');
    expect(first).toMatchObject({ kind: 'accepted', duplicate: false });
    expect(second).toMatchObject({ kind: 'accepted', duplicate: true, order: { customerOrderNo: con, chargeAccount: '13800138000' } });
    if (first.kind === 'accepted' && second.kind === 'accepted') expect(second.order.orderId).toBe(first.order.orderId);
  });
});

describe('refusals before acceptance: no order created', () => {
  it('3003 when the balance is exhausted: safe to fail over, not counted for the circuit', async () => {
    sandbox.knobs.balanceFen = DEFAULT_KNOBS.priceFen - 1;
    const con = orderNo();
    expect(await recharge(creds, con)).toEqual({ kind: 'rejected', code: 3003, message: 'balance insufficient', safeToFailover: true, accountInvalid: false, countsForCircuit: false });
    expect(sandbox.order(con)).toBeUndefined();
    expect(await fuluAdapter.buyCards(creds, { productId: '1', customerOrderNo: orderNo(), buyNum: 1 })).toMatchObject({ kind: 'rejected', code: 3003 });
  });

  it('3001, 3002 for the next N calls, then normal service', async () => {
    Object.assign(sandbox.knobs, { errorCode: 3001, errorNext: 2 });
    expect(await recharge()).toMatchObject({ kind: 'rejected', code: 3001, safeToFailover: true, countsForCircuit: false });
    expect(await recharge()).toMatchObject({ kind: 'rejected', code: 3001 });
    expect(await recharge()).toMatchObject({ kind: 'accepted' });
    Object.assign(sandbox.knobs, { errorCode: 3002, errorRate: 1 });
    expect(await recharge()).toMatchObject({ kind: 'rejected', code: 3002, safeToFailover: true, countsForCircuit: false });
  });

  it('3004 when the channel is closed; is_open reads 0', async () => {
    sandbox.knobs.isOpen = false;
    expect(await recharge()).toMatchObject({ kind: 'rejected', code: 3004, safeToFailover: true, accountInvalid: false, countsForCircuit: false });
    expect(await fuluAdapter.queryBalance(creds)).toMatchObject({ kind: 'ok', isOpen: false });
  });

  it('5000 is safe to fail over and counts for the circuit', async () => {
    Object.assign(sandbox.knobs, { errorCode: 5000, errorNext: 1 });
    expect(await recharge()).toEqual({ kind: 'rejected', code: 5000, message: 'busy, try later', safeToFailover: true, accountInvalid: false, countsForCircuit: true });
  });

  it('4001: the account is invalid, not safe to fail over', async () => {
    sandbox.knobs.invalidAccountPrefix = 'bad-';
    const con = orderNo();
    expect(await recharge(creds, con, 'bad-13800000000')).toEqual({ kind: 'rejected', code: 4001, message: 'account invalid', safeToFailover: false, accountInvalid: true, countsForCircuit: false });
    expect(sandbox.order(con)).toBeUndefined();
  });

  it('a non-numeric supplier product id is refused locally (1004), nothing sent', async () => {
    const before = sandbox.stats().submits;
    expect(await fuluAdapter.submitRecharge(creds, { productId: 'abc', customerOrderNo: orderNo(), account: '1', buyNum: 1 })).toMatchObject({ kind: 'rejected', code: 1004, safeToFailover: true, countsForCircuit: false });
    expect(await fuluAdapter.buyCards(creds, { productId: '1', customerOrderNo: orderNo(), buyNum: 0 })).toMatchObject({ kind: 'rejected', code: 1004 });
    expect(sandbox.stats().submits).toBe(before);
  });
});

describe('queries', () => {
  it('2001 is not_found', async () => {
    expect(await fuluAdapter.queryOrder(creds, orderNo('never'))).toEqual({ kind: 'not_found' });
  });
});

describe('answers that cannot be trusted are unknown', () => {
  it('a wrong app_secret: the supplier refuses with 1001, and its answer does not verify under our secret', async () => {
    const r = await recharge({ ...creds, appSecret: 'wrong' });
    expect(r).toMatchObject({ kind: 'unknown', countsForCircuit: true, reason: 'response signature invalid (code 1001)' });
  });

  it('an unknown app_key: 1003 comes unsigned, so it is unknown', async () => {
    expect(await recharge({ ...creds, appKey: 'nobody' })).toMatchObject({ kind: 'unknown', reason: 'response signature invalid (code 1003)' });
  });

  it('a tampering proxy that rewrites the order is caught by the response signature', async () => {
    const proxied = await fake(async (_req, body, res) => {
      const upstream = await fetch(sandbox.url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const answer = (await upstream.json()) as { result: string };
      answer.result = answer.result.replace('"order_state":"untreated"', '"order_state":"success"');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
    const con = orderNo();
    const r = await recharge(proxied, con);
    expect(r).toMatchObject({ kind: 'unknown', countsForCircuit: true, reason: 'response signature invalid (code 0)' });
    expect(sandbox.order(con)).toBeDefined(); // it did reach the supplier: unknown is the honest answer
  });

  it('a proxy that flips an acceptance into a refusal (result still signed) is not believed', async () => {
    const proxied = await fake(async (_req, body, res) => {
      const upstream = await fetch(sandbox.url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
      const answer = (await upstream.json()) as { code: number };
      answer.code = 3001;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
    expect(await recharge(proxied)).toMatchObject({ kind: 'unknown', reason: 'code 3001 with a non-empty result' });
  });

  it('an answer about another order, even well signed, is unknown', async () => {
    const other = await fake(async (_req, body, res) => {
      const req = JSON.parse(body) as Record<string, string>;
      const biz = JSON.parse(req.biz_content) as Record<string, unknown>;
      const upstream = await fuluAdapter.submitRecharge(creds, { productId: '100', customerOrderNo: `${String(biz.customer_order_no)}-other`, account: '1', buyNum: 1 });
      if (upstream.kind !== 'accepted') throw new Error('setup');
      const result = JSON.stringify({ ...sandbox.order(upstream.order.customerOrderNo), order_id: 'X', customer_order_no: upstream.order.customerOrderNo, product_id: 100, buy_num: 1, order_type: 4, order_price: '10.00', order_state: 'success', charge_account: '1', create_time: '', finish_time: '' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(buildResponse(0, 'ok', result, APP_SECRET)));
    });
    expect(await recharge(other)).toMatchObject({ kind: 'unknown', reason: 'response names another customer_order_no' });
  });

  it('5xx, redirects, non-JSON, missing code, 2002 without an order and undefined codes are all unknown', async () => {
    const answers: Array<[number, Record<string, string>, string, RegExp]> = [
      [503, {}, 'busy', /^HTTP 503$/],
      [302, { location: sandbox.url }, '', /^HTTP 302$/],
      [200, {}, '<html>gateway</html>', /not a JSON object/],
      [200, {}, JSON.stringify({ message: 'x', result: '', sign: '' }), /no numeric code/],
      [200, {}, JSON.stringify(buildResponse(2002, 'dup', '', APP_SECRET)), /unusable order/],
      [200, {}, JSON.stringify(buildResponse(2001, 'none', '', APP_SECRET)), /unexpected code 2001 on submit/],
      [200, {}, JSON.stringify(buildResponse(9999, '?', '', APP_SECRET)), /unexpected code 9999/],
      [200, {}, JSON.stringify(buildResponse(0, 'ok', '{"order_id":"1"}', APP_SECRET)), /unusable order/],
    ];
    const before = sandbox.stats().submits;
    for (const [status, headers, body, reason] of answers) {
      const c = await fake((_req, _b, res) => {
        res.writeHead(status, headers);
        res.end(body);
      });
      const r = await recharge(c);
      expect(r.kind).toBe('unknown');
      if (r.kind === 'unknown') expect(r.reason).toMatch(reason);
    }
    // the redirect was not followed to the sandbox
    expect(sandbox.stats().submits).toBe(before);
  });

  it('an endless answer is cut at the body limit; a header that cannot be sent is a value, not a throw', async () => {
    const huge = await fake((_req, _b, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('x'.repeat(9 * 1024 * 1024));
    });
    expect(await fuluAdapter.queryOrder(huge, 'x-1')).toMatchObject({ kind: 'unknown', reason: 'response body too large' });
    expect(await fuluAdapter.queryOrder({ ...creds, endpoint: 'ftp://example.invalid' }, 'x-1')).toMatchObject({ kind: 'unknown', reason: 'endpoint is not http(s)' });
    expect(await fuluAdapter.queryOrder({ ...creds, endpoint: 'not a url' }, 'x-1')).toMatchObject({ kind: 'unknown', reason: 'endpoint is not a URL' });
  });

  it('a card order whose cards do not decrypt is unknown', async () => {
    const c = await fake((_req, _b, res) => {
      const result = JSON.stringify({
        order_id: 'SB1', customer_order_no: 'po_1', product_id: 1, charge_account: '', buy_num: 1, order_type: 3, order_price: '1.00',
        order_state: 'success', create_time: '', finish_time: '', cards: [{ card_number: 'AAAA', card_pwd: 'AAAA', card_deadline: '' }],
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(buildResponse(0, 'ok', result, APP_SECRET)));
    });
    expect(await fuluAdapter.queryOrder(c, 'po_1')).toMatchObject({ kind: 'unknown', reason: 'unusable order in response: card cannot be decrypted' });
  });

  it('bills: a missing day, a bad day and an unreadable bill are unknown', async () => {
    expect(await fuluAdapter.fetchBill(creds, '2026-02-30')).toMatchObject({ kind: 'unknown', countsForCircuit: false });
    const c = await fake((req, _b, res) => {
      res.writeHead(req.url?.includes('2026-01-01') ? 404 : 200, { 'content-type': 'text/csv' });
      res.end('order_id\nA\n');
    });
    expect(await fuluAdapter.fetchBill(c, '2026-01-01')).toMatchObject({ kind: 'unknown', reason: 'HTTP 404 for the bill' });
    expect(await fuluAdapter.fetchBill(c, '2026-01-02')).toMatchObject({ kind: 'unknown', countsForCircuit: false });
  });
});
