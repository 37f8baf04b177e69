// The `fulu` supplier adapter (DESIGN §11): the gateway protocol over real HTTP. Every call answers a value:
// accepted / rejected / not_found / unknown. "unknown" means the order may or may not exist and is resolved
// only by querying. Nothing here logs: accounts, secrets and card data never reach a log line.
import type {
  BalanceResult,
  BillResult,
  CallbackResult,
  QueryResult,
  SubmitResult,
  SupplierAdapter,
  SupplierCredentials,
} from '../adapters/adapter.ts';
import { parseBill } from './bill.ts';
import { callGateway, type GatewayAnswer } from './gateway-client.ts';
import { isRecord, parseJson, productIdToWire } from './fields.ts';
import { httpCall } from './http.ts';
import { yuanToFen } from './money.ts';
import { isDay, verifyObject } from './protocol.ts';
import { parseCallback, parseOrder } from './wire.ts';

export const METHODS = {
  direct: 'fulu.order.direct.add',
  card: 'fulu.order.card.add',
  info: 'fulu.order.info.get',
  user: 'fulu.user.info.get',
} as const;

/** a callback body larger than this is refused before parsing */
const MAX_CALLBACK_BYTES = 64 * 1024;

const unknown = (reason: string, countsForCircuit = true) => ({ kind: 'unknown' as const, reason, countsForCircuit });

/** the supplier's order in `result`, checked to be the one we asked about */
function orderFrom(result: string, c: SupplierCredentials, customerOrderNo: string) {
  const parsed = parseOrder(parseJson(result), c.appSecret);
  if (!parsed.ok) return { ok: false as const, reason: `unusable order in response: ${parsed.reason}` };
  // an answer about another order must never settle this one
  if (parsed.order.customerOrderNo !== customerOrderNo) return { ok: false as const, reason: 'response names another customer_order_no' };
  return parsed;
}

/** submit codes → result (DESIGN §11 "Codes") */
function classifySubmit(answer: GatewayAnswer, c: SupplierCredentials, customerOrderNo: string): SubmitResult {
  if (answer.kind === 'failure') return unknown(answer.reason, answer.countsForCircuit);
  const { code, message } = answer;
  const rejected = (safeToFailover: boolean, accountInvalid: boolean, countsForCircuit: boolean): SubmitResult => ({
    kind: 'rejected', code, message, safeToFailover, accountInvalid, countsForCircuit,
  });
  if (code === 0 || code === 2002) {
    const parsed = orderFrom(answer.result, c, customerOrderNo);
    // 2002 without a usable order: it exists, but we cannot see it — querying will
    if (!parsed.ok) return unknown(parsed.reason);
    return { kind: 'accepted', order: parsed.order, duplicate: code === 2002 };
  }
  // The sign covers `result` only: a refusal that carries an order is not one we can believe (a flipped code
  // on a signed acceptance would look exactly like this), so it stays unknown until a query settles it.
  if (answer.result !== '') return unknown(`code ${code} with a non-empty result`);
  if (code >= 3001 && code <= 3004) return rejected(true, false, false);
  if (code === 5000) return rejected(true, false, true);
  if (code === 4001) return rejected(false, true, false);
  // 1001–1004: the gateway refused the request itself (our sign, clock, key or parameters), so no order
  // exists; the next supplier may serve. Not the network's fault: not counted for the circuit.
  if (code >= 1001 && code <= 1004) return rejected(true, false, false);
  // a code the protocol does not define (2001 included): we cannot know whether an order was created
  return unknown(`unexpected code ${code} on submit`);
}

function invalidRequest(what: string): SubmitResult {
  // refused before sending: no order can exist, another supplier (with its own product mapping) may serve
  return { kind: 'rejected', code: 1004, message: `not sent: ${what}`, safeToFailover: true, accountInvalid: false, countsForCircuit: false };
}

function checkCommon(req: { productId: string; customerOrderNo: string; buyNum: number }): { productId: number } | string {
  const productId = productIdToWire(req.productId);
  if (productId === null) return 'the supplier product id is not numeric';
  if (typeof req.customerOrderNo !== 'string' || !req.customerOrderNo || req.customerOrderNo.length > 64) return 'customer_order_no invalid';
  if (!Number.isSafeInteger(req.buyNum) || req.buyNum < 1) return 'buy_num invalid';
  return { productId };
}

export const fuluAdapter: SupplierAdapter = {
  name: 'fulu',

  async submitRecharge(c, req, opts) {
    const common = checkCommon(req);
    if (typeof common === 'string') return invalidRequest(common);
    if (typeof req.account !== 'string' || !req.account) return invalidRequest('charge_account is empty');
    const answer = await callGateway(
      c,
      METHODS.direct,
      { product_id: common.productId, customer_order_no: req.customerOrderNo, charge_account: req.account, buy_num: req.buyNum },
      opts?.timeoutMs,
    );
    return classifySubmit(answer, c, req.customerOrderNo);
  },

  async buyCards(c, req, opts) {
    const common = checkCommon(req);
    if (typeof common === 'string') return invalidRequest(common);
    const answer = await callGateway(
      c,
      METHODS.card,
      { product_id: common.productId, customer_order_no: req.customerOrderNo, buy_num: req.buyNum },
      opts?.timeoutMs,
    );
    return classifySubmit(answer, c, req.customerOrderNo);
  },

  async queryOrder(c, customerOrderNo, opts): Promise<QueryResult> {
    const answer = await callGateway(c, METHODS.info, { customer_order_no: customerOrderNo }, opts?.timeoutMs);
    if (answer.kind === 'failure') return unknown(answer.reason, answer.countsForCircuit);
    if (answer.code === 2001) return { kind: 'not_found' };
    if (answer.code !== 0) return unknown(`code ${answer.code} on query: ${answer.message}`, answer.code === 5000);
    const parsed = orderFrom(answer.result, c, customerOrderNo);
    return parsed.ok ? { kind: 'found', order: parsed.order } : unknown(parsed.reason);
  },

  async queryBalance(c, opts): Promise<BalanceResult> {
    const answer = await callGateway(c, METHODS.user, {}, opts?.timeoutMs);
    if (answer.kind === 'failure') return unknown(answer.reason, answer.countsForCircuit);
    if (answer.code !== 0) return unknown(`code ${answer.code} on balance: ${answer.message}`, answer.code === 5000);
    const r = parseJson(answer.result);
    if (!isRecord(r)) return unknown('balance result is not an object');
    const balanceFen = yuanToFen(r.balance);
    if (balanceFen === null) return unknown('balance is not a decimal amount');
    if (r.is_open !== 0 && r.is_open !== 1 && r.is_open !== '0' && r.is_open !== '1') return unknown('is_open is not 1 or 0');
    return { kind: 'ok', name: typeof r.name === 'string' ? r.name : '', balanceFen, isOpen: String(r.is_open) === '1' };
  },

  verifyCallback(c, rawBody): CallbackResult {
    if (typeof rawBody !== 'string' || rawBody.length === 0) return { ok: false, reason: 'empty body' };
    if (Buffer.byteLength(rawBody, 'utf8') > MAX_CALLBACK_BYTES) return { ok: false, reason: 'body too large' };
    const body = parseJson(rawBody);
    if (!isRecord(body)) return { ok: false, reason: 'body is not a JSON object' };
    // the signature first: nothing unsigned is even parsed into a callback
    if (!verifyObject(body, c.appSecret)) return { ok: false, reason: 'bad signature' };
    const { sign: _sign, ...fields } = body;
    return parseCallback(fields);
  },

  async fetchBill(c, day, opts): Promise<BillResult> {
    if (!isDay(day)) return unknown('day is not YYYY-MM-DD', false);
    const url = `${c.endpoint.replace(/\/+$/, '')}/bills/${day}.csv`;
    const http = await httpCall(url, { method: 'GET', accept: 'text/csv' }, opts?.timeoutMs);
    if (!http.ok) return unknown(http.reason);
    if (http.status !== 200) return unknown(`HTTP ${http.status} for the bill`, http.status >= 500);
    try {
      return { kind: 'ok', lines: parseBill(http.text) };
    } catch (e) {
      return unknown(e instanceof Error ? e.message : 'the bill cannot be read', false);
    }
  },

  parseBill,
};
