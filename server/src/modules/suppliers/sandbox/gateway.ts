// The sandbox's gateway: validates a request exactly as DESIGN §11 says (1004 unreadable, 1003 unknown app_key,
// 1001 bad sign, 1002 timestamp, 1004 bad parameters), then runs the method against the engine, applying the
// fault knobs. Answers a response to send, or tells the server to lose the answer (submit timeout).
import { METHODS } from '../fulu/fulu.adapter.ts';
import { isRecord, numericField, parseJson } from '../fulu/fields.ts';
import { fenToYuan } from '../fulu/money.ts';
import { buildResponse, formatChinaTime as fmt, PROTOCOL_VERSION, timestampInWindow, verifyObject, type GatewayResponse } from '../fulu/protocol.ts';
import { toWireOrder } from '../fulu/wire.ts';
import type { SandboxEngine, SandboxOrder } from './engine.ts';
import type { SandboxKnobs } from './knobs.ts';

export type GatewayOutcome = { kind: 'respond'; body: GatewayResponse } | { kind: 'lose'; mode: 'hang' | 'drop' };

const MESSAGES: Record<number, string> = {
  0: 'success',
  1001: 'bad sign',
  1002: 'timestamp out of window',
  1003: 'unknown app_key',
  1004: 'bad parameters',
  2001: 'no such order',
  2002: 'duplicate customer_order_no',
  3001: 'product unavailable',
  3002: 'product under maintenance',
  3003: 'balance insufficient',
  3004: 'channel closed',
  4001: 'account invalid',
  5000: 'busy, try later',
};

const ID = /^[\x21-\x7e]{1,64}$/;

export class SandboxGateway {
  constructor(
    private readonly appKey: string,
    private readonly appSecret: string,
    private readonly knobs: SandboxKnobs,
    private readonly engine: SandboxEngine,
  ) {}

  private answer(code: number, result = '', secret: string | null = this.appSecret): GatewayOutcome {
    return { kind: 'respond', body: buildResponse(code, MESSAGES[code] ?? 'error', result, secret) };
  }

  private orderResult(order: SandboxOrder): string {
    return JSON.stringify(toWireOrder({ ...order, createdAt: fmt(order.createdAt), finishedAt: order.finishedAt === null ? null : fmt(order.finishedAt) }, this.appSecret));
  }

  handle(raw: string): GatewayOutcome {
    const body = parseJson(raw);
    // before the app_key is known there is no secret to sign the answer with: an empty sign
    if (!isRecord(body)) return this.answer(1004, '', null);
    if (body.app_key !== this.appKey) return this.answer(1003, '', null);
    if (!verifyObject(body, this.appSecret)) return this.answer(1001);
    if (!timestampInWindow(body.timestamp)) return this.answer(1002);
    if (
      body.version !== PROTOCOL_VERSION ||
      body.format !== 'json' ||
      body.charset !== 'utf-8' ||
      body.sign_type !== 'md5' ||
      typeof body.app_auth_token !== 'string' ||
      typeof body.method !== 'string' ||
      typeof body.biz_content !== 'string'
    ) {
      return this.answer(1004);
    }
    const biz = parseJson(body.biz_content);
    if (!isRecord(biz)) return this.answer(1004);
    switch (body.method) {
      case METHODS.direct:
        return this.submit(biz, 4);
      case METHODS.card:
        return this.submit(biz, 3);
      case METHODS.info: {
        if (typeof biz.customer_order_no !== 'string' || !ID.test(biz.customer_order_no)) return this.answer(1004);
        const order = this.engine.orders.get(biz.customer_order_no);
        return order ? this.answer(0, this.orderResult(order)) : this.answer(2001);
      }
      case METHODS.user:
        return this.answer(0, JSON.stringify({ name: 'sandbox supplier', balance: fenToYuan(this.knobs.balanceFen, 4), is_open: this.knobs.isOpen ? 1 : 0 }));
      default:
        return this.answer(1004);
    }
  }

  private submit(biz: Record<string, unknown>, orderType: 3 | 4): GatewayOutcome {
    const productId = numericField(biz.product_id);
    const buyNum = numericField(biz.buy_num);
    const con = biz.customer_order_no;
    const account = biz.charge_account;
    if (productId === null || productId < 1 || buyNum === null || buyNum < 1 || buyNum > (orderType === 3 ? 1000 : 100)) return this.answer(1004);
    if (typeof con !== 'string' || !ID.test(con)) return this.answer(1004);
    if (orderType === 4 && (typeof account !== 'string' || account.length < 1 || account.length > 64)) return this.answer(1004);
    const k = this.knobs;
    this.engine.noteSubmit(con);
    // the same customer_order_no is the same order, whatever else is asked now
    const existing = this.engine.orders.get(con);
    if (existing) {
      this.engine.totals.duplicates++;
      return this.answer(2002, this.orderResult(existing));
    }
    const refuse = (code: number) => {
      this.engine.noteRejected(code);
      return this.answer(code);
    };
    if (k.errorCode !== null && k.errorNext > 0) {
      k.errorNext--;
      return refuse(k.errorCode);
    }
    if (k.errorCode !== null && Math.random() < k.errorRate) return refuse(k.errorCode);
    if (!k.isOpen) return refuse(3004);
    if (orderType === 4 && k.invalidAccountPrefix && (account as string).startsWith(k.invalidAccountPrefix)) return refuse(4001);
    const priceFen = k.priceFen * buyNum;
    if (k.balanceFen < priceFen) return refuse(3003);
    const order = this.engine.create({ customerOrderNo: con, productId: String(productId), chargeAccount: orderType === 4 ? (account as string) : null, buyNum, orderType, priceFen });
    let lose = false;
    if (k.submitTimeoutNext > 0) {
      k.submitTimeoutNext--;
      lose = true;
    } else if (Math.random() < k.submitTimeoutRate) lose = true;
    if (lose) {
      this.engine.totals.timeoutsInjected++;
      return { kind: 'lose', mode: k.submitTimeoutMode };
    }
    return this.answer(0, this.orderResult(order));
  }
}
