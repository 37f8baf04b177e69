// The protocol's order and callback objects (DESIGN §11) ⇄ the adapter interface's types. Parsing is strict
// about what we act on (ids, state, money) and tolerant where the protocol says so (numeric strings).
import type { SupplierCallback, SupplierCard, SupplierOrder, SupplierOrderState } from '../adapters/adapter.ts';
import { decryptCardField, encryptCardField } from './card-crypto.ts';
import { isRecord, numericField, optionalString, productIdField } from './fields.ts';
import { fenToYuan, yuanToFen } from './money.ts';

export const ORDER_STATES: readonly SupplierOrderState[] = ['untreated', 'processing', 'success', 'failed'];

export interface WireCard {
  card_number: string;
  card_pwd: string;
  card_deadline: string;
}

export interface WireOrder {
  order_id: string;
  customer_order_no: string;
  product_id: number;
  charge_account: string;
  buy_num: number;
  order_type: 3 | 4;
  order_price: string;
  order_state: SupplierOrderState;
  create_time: string;
  finish_time: string;
  cards?: WireCard[];
}

export interface WireCallback {
  order_id: string;
  customer_order_no: string;
  order_status: 'success' | 'failed';
  recharge_description: string;
  product_id: number;
  price: string;
  buy_num: number;
  charge_finish_time: string;
  operator_serial_number: string;
}

const isState = (v: unknown): v is SupplierOrderState => typeof v === 'string' && (ORDER_STATES as readonly string[]).includes(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 256;

/** a protocol order → SupplierOrder (cards decrypted), or the reason it cannot be used */
export function parseOrder(value: unknown, appSecret: string): { ok: true; order: SupplierOrder } | { ok: false; reason: string } {
  if (!isRecord(value)) return { ok: false, reason: 'order is not an object' };
  if (!nonEmpty(value.order_id)) return { ok: false, reason: 'order_id missing' };
  if (!nonEmpty(value.customer_order_no)) return { ok: false, reason: 'customer_order_no missing' };
  const productId = productIdField(value.product_id);
  if (productId === null) return { ok: false, reason: 'product_id invalid' };
  const buyNum = numericField(value.buy_num);
  if (buyNum === null || buyNum < 1) return { ok: false, reason: 'buy_num invalid' };
  const orderType = numericField(value.order_type);
  if (orderType !== 3 && orderType !== 4) return { ok: false, reason: 'order_type invalid' };
  const priceFen = yuanToFen(value.order_price);
  if (priceFen === null || priceFen < 0) return { ok: false, reason: 'order_price invalid' };
  if (!isState(value.order_state)) return { ok: false, reason: 'order_state invalid' };
  const chargeAccount = optionalString(value.charge_account);
  const createdAt = optionalString(value.create_time);
  const finishedAt = optionalString(value.finish_time);
  if (chargeAccount === undefined || createdAt === undefined || finishedAt === undefined) return { ok: false, reason: 'text field invalid' };
  const order: SupplierOrder = {
    orderId: value.order_id,
    customerOrderNo: value.customer_order_no,
    productId,
    chargeAccount,
    buyNum,
    orderType,
    priceFen,
    state: value.order_state,
    createdAt,
    finishedAt,
  };
  if (value.cards !== undefined && value.cards !== null) {
    if (!Array.isArray(value.cards)) return { ok: false, reason: 'cards is not a list' };
    const cards: SupplierCard[] = [];
    for (const c of value.cards) {
      if (!isRecord(c)) return { ok: false, reason: 'card is not an object' };
      const cardNumber = decryptCardField(c.card_number, appSecret);
      const cardPwd = decryptCardField(c.card_pwd, appSecret);
      // the reason names no value: card data never reaches a log line
      if (cardNumber === null || cardPwd === null) return { ok: false, reason: 'card cannot be decrypted' };
      const deadline = optionalString(c.card_deadline);
      cards.push({ cardNumber, cardPwd, deadline: deadline ?? null });
    }
    order.cards = cards;
  }
  return { ok: true, order };
}

/** SupplierOrder-shaped data → the protocol order (card secrets encrypted); used by the sandbox */
export function toWireOrder(o: SupplierOrder, appSecret: string): WireOrder {
  const wire: WireOrder = {
    order_id: o.orderId,
    customer_order_no: o.customerOrderNo,
    product_id: Number(o.productId),
    charge_account: o.chargeAccount ?? '',
    buy_num: o.buyNum,
    order_type: o.orderType === 3 ? 3 : 4,
    order_price: fenToYuan(o.priceFen, 4),
    order_state: o.state,
    create_time: o.createdAt ?? '',
    finish_time: o.finishedAt ?? '',
  };
  if (o.cards) {
    wire.cards = o.cards.map((c) => ({
      card_number: encryptCardField(c.cardNumber, appSecret),
      card_pwd: encryptCardField(c.cardPwd, appSecret),
      card_deadline: c.deadline ?? '',
    }));
  }
  return wire;
}

/** a callback body without its sign → SupplierCallback, or the reason it is refused */
export function parseCallback(value: Record<string, unknown>): { ok: true; callback: SupplierCallback } | { ok: false; reason: string } {
  if (!nonEmpty(value.order_id)) return { ok: false, reason: 'order_id missing' };
  if (!nonEmpty(value.customer_order_no)) return { ok: false, reason: 'customer_order_no missing' };
  if (value.order_status !== 'success' && value.order_status !== 'failed') return { ok: false, reason: 'order_status invalid' };
  const productId = productIdField(value.product_id);
  if (productId === null) return { ok: false, reason: 'product_id invalid' };
  const priceFen = yuanToFen(value.price);
  if (priceFen === null || priceFen < 0) return { ok: false, reason: 'price invalid' };
  const buyNum = numericField(value.buy_num);
  if (buyNum === null || buyNum < 1) return { ok: false, reason: 'buy_num invalid' };
  const description = optionalString(value.recharge_description);
  const finishedAt = optionalString(value.charge_finish_time);
  const serial = optionalString(value.operator_serial_number);
  if (description === undefined || finishedAt === undefined || serial === undefined) return { ok: false, reason: 'text field invalid' };
  return {
    ok: true,
    callback: {
      orderId: value.order_id,
      customerOrderNo: value.customer_order_no,
      status: value.order_status,
      description: description ?? '',
      productId,
      priceFen,
      buyNum,
      finishedAt,
      operatorSerialNumber: serial,
    },
  };
}
