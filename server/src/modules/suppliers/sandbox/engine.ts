// The sandbox supplier's books: orders in memory, deduplicated by customer_order_no, processed by timers
// (untreated → processing → success | failed), the balance, and the counts tests use to prove "never twice".
import { randomBytes, randomInt } from 'node:crypto';
import type { BillLine, SupplierCard, SupplierOrderState } from '../adapters/adapter.ts';
import { chinaDay, formatChinaTime } from '../fulu/protocol.ts';
import type { CallbackSender } from './callbacks.ts';
import type { SandboxKnobs } from './knobs.ts';

export interface SandboxOrder {
  orderId: string;
  customerOrderNo: string;
  productId: string;
  chargeAccount: string | null;
  buyNum: number;
  orderType: 3 | 4;
  priceFen: number;
  state: SupplierOrderState;
  createdAt: number;
  finishedAt: number | null;
  serial: string;
  cards?: SupplierCard[];
}

export interface SandboxCounts {
  /** successful direct recharges per charge_account: more than 1 for an account means it was recharged twice */
  rechargesByAccount: Map<string, number>;
  /** orders created per customer_order_no (deduplication keeps it at 1) */
  ordersByCustomerOrderNo: Map<string, number>;
  /** submissions received per customer_order_no (retries and resubmissions included) */
  submitsByCustomerOrderNo: Map<string, number>;
}

export class SandboxEngine {
  readonly orders = new Map<string, SandboxOrder>();
  readonly counts: SandboxCounts = { rechargesByAccount: new Map(), ordersByCustomerOrderNo: new Map(), submitsByCustomerOrderNo: new Map() };
  readonly totals = { submits: 0, duplicates: 0, accepted: 0, success: 0, failed: 0, cardsIssued: 0, timeoutsInjected: 0, rejected: {} as Record<string, number> };
  private seq = 0;
  private closed = false;
  /** order ids and serial numbers: a per-instance prefix and a counter (cheap; random bytes per order are not) */
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    private readonly knobs: SandboxKnobs,
    private readonly callbacks: CallbackSender,
  ) {}

  noteSubmit(customerOrderNo: string) {
    this.totals.submits++;
    bump(this.counts.submitsByCustomerOrderNo, customerOrderNo);
  }

  noteRejected(code: number) {
    this.totals.rejected[code] = (this.totals.rejected[code] ?? 0) + 1;
  }

  /** creates an order (the caller checked for duplicates, knobs and balance) and starts processing it */
  create(req: { customerOrderNo: string; productId: string; chargeAccount: string | null; buyNum: number; orderType: 3 | 4; priceFen: number }): SandboxOrder {
    const now = Date.now();
    const order: SandboxOrder = {
      ...req,
      orderId: `SB${this.instance}${String(++this.seq).padStart(10, '0')}`,
      state: 'untreated',
      createdAt: now,
      finishedAt: null,
      serial: `OP${this.instance}${this.seq}`,
    };
    this.orders.set(order.customerOrderNo, order);
    bump(this.counts.ordersByCustomerOrderNo, order.customerOrderNo);
    this.knobs.balanceFen -= order.priceFen;
    this.totals.accepted++;
    const half = Math.floor(this.knobs.processingMs / 2);
    later(half, () => {
      if (this.closed) return;
      order.state = 'processing';
      later(this.knobs.processingMs - half, () => this.finish(order));
    });
    return order;
  }

  private finish(order: SandboxOrder) {
    if (this.closed || order.state === 'success' || order.state === 'failed') return;
    order.finishedAt = Date.now();
    if (Math.random() < this.knobs.failRate) {
      order.state = 'failed';
      this.knobs.balanceFen += order.priceFen; // a failed order costs nothing
      this.totals.failed++;
    } else {
      order.state = 'success';
      this.totals.success++;
      if (order.orderType === 4 && order.chargeAccount !== null) bump(this.counts.rechargesByAccount, order.chargeAccount);
      if (order.orderType === 3) {
        order.cards = Array.from({ length: order.buyNum }, () => newCard(order.finishedAt!));
        this.totals.cardsIssued += order.buyNum;
      }
    }
    this.callbacks.orderFinal(order, formatChinaTime(order.finishedAt));
  }

  /** final orders finished on the China-time `day`, for the bill */
  billLines(day: string): BillLine[] {
    const lines: BillLine[] = [];
    for (const o of this.orders.values()) {
      if (o.finishedAt === null || chinaDay(o.finishedAt) !== day) continue;
      lines.push({
        orderId: o.orderId,
        customerOrderNo: o.customerOrderNo,
        productId: o.productId,
        chargeAccount: o.chargeAccount,
        buyNum: o.buyNum,
        priceFen: o.priceFen,
        state: o.state,
        finishedAt: formatChinaTime(o.finishedAt),
      });
    }
    return lines;
  }

  stats() {
    const byState: Record<SupplierOrderState, number> = { untreated: 0, processing: 0, success: 0, failed: 0 };
    for (const o of this.orders.values()) byState[o.state]++;
    let maxRechargesPerAccount = 0;
    const accountsRechargedTwice: string[] = [];
    for (const [account, n] of this.counts.rechargesByAccount) {
      maxRechargesPerAccount = Math.max(maxRechargesPerAccount, n);
      if (n > 1) accountsRechargedTwice.push(account);
    }
    let maxOrdersPerCustomerOrderNo = 0;
    for (const n of this.counts.ordersByCustomerOrderNo.values()) maxOrdersPerCustomerOrderNo = Math.max(maxOrdersPerCustomerOrderNo, n);
    return {
      orders: this.orders.size,
      byState,
      ...this.totals,
      rejected: { ...this.totals.rejected },
      balanceFen: this.knobs.balanceFen,
      rechargedAccounts: this.counts.rechargesByAccount.size,
      maxRechargesPerAccount,
      accountsRechargedTwice,
      maxOrdersPerCustomerOrderNo,
      rechargesByAccount: Object.fromEntries(this.counts.rechargesByAccount),
      callbacks: { ...this.callbacks.stats },
    };
  }

  close() {
    this.closed = true;
  }
}

function bump(map: Map<string, number>, key: string) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** a timer that never holds the process open (the server does, while it listens) */
function later(ms: number, fn: () => void) {
  setTimeout(fn, Math.max(0, ms)).unref();
}

function newCard(finishedAt: number): SupplierCard {
  const digits = Array.from({ length: 16 }, () => randomInt(10)).join('');
  return { cardNumber: `SBC${digits}`, cardPwd: randomBytes(9).toString('base64url'), deadline: formatChinaTime(finishedAt + 365 * 86400_000) };
}
