// The sandbox's callback sender (DESIGN §11 "Callback"): signed JSON POSTed to the configured URL, retried
// until the receiver answers 200 with the literal body `success`. Fault knobs make callbacks late,
// duplicated, out of order or absent — the receiver must cope with all of it.
import { httpCall } from '../fulu/http.ts';
import { signObject } from '../fulu/protocol.ts';
import { fenToYuan } from '../fulu/money.ts';
import type { SandboxKnobs } from './knobs.ts';
import type { SandboxOrder } from './engine.ts';

const CALLBACK_TIMEOUT_MS = 5000;

export interface CallbackStats {
  scheduled: number;
  dropped: number;
  attempts: number;
  acknowledged: number;
  gaveUp: number;
}

export function newCallbackStats(): CallbackStats {
  return { scheduled: 0, dropped: 0, attempts: 0, acknowledged: 0, gaveUp: 0 };
}

export function callbackBody(order: SandboxOrder, status: 'success' | 'failed', appSecret: string, finishTime: string) {
  const body = {
    order_id: order.orderId,
    customer_order_no: order.customerOrderNo,
    order_status: status,
    recharge_description: status === 'success' ? '充值成功' : '充值失败',
    product_id: Number(order.productId),
    price: fenToYuan(order.priceFen, 4),
    buy_num: order.buyNum,
    charge_finish_time: finishTime,
    operator_serial_number: status === 'success' ? order.serial : '',
  };
  return { ...body, sign: signObject(body, appSecret) };
}

export class CallbackSender {
  readonly stats = newCallbackStats();
  private closed = false;

  constructor(
    private readonly knobs: SandboxKnobs,
    private readonly appSecret: string,
  ) {}

  /** called once per order when it turns final */
  orderFinal(order: SandboxOrder, finishTime: string) {
    const url = this.knobs.callbackUrl;
    if (!url || this.closed) return;
    const k = this.knobs;
    if (Math.random() < k.callbackDropRate) {
      this.stats.dropped++;
      return;
    }
    const bodies: string[] = [];
    // a lost success overtaken by a false failure: the receiver must confirm a failure by querying
    if (order.state === 'success' && Math.random() < k.callbackOutOfOrderRate) bodies.push(JSON.stringify(callbackBody(order, 'failed', this.appSecret, finishTime)));
    const final = JSON.stringify(callbackBody(order, order.state === 'success' ? 'success' : 'failed', this.appSecret, finishTime));
    bodies.push(final);
    if (Math.random() < k.callbackDuplicateRate) bodies.push(final);
    this.stats.scheduled += bodies.length;
    const send = async () => {
      for (const body of bodies) await this.deliver(url, body);
    };
    const start = () => void send().catch(() => undefined);
    if (k.callbackDelayMs > 0) setTimeout(start, k.callbackDelayMs).unref();
    else start();
  }

  private async deliver(url: string, body: string) {
    const attempts = Math.max(1, this.knobs.callbackAttempts);
    for (let i = 0; i < attempts && !this.closed; i++) {
      if (i > 0) await sleep(this.knobs.callbackRetryMs * 2 ** (i - 1));
      if (this.closed) return;
      this.stats.attempts++;
      // a receiver that is down or slow is retried, never fatal
      const res = await httpCall(url, { method: 'POST', body, accept: 'text/plain' }, CALLBACK_TIMEOUT_MS);
      if (res.ok && res.status === 200 && res.text.trim() === 'success') {
        this.stats.acknowledged++;
        return;
      }
    }
    if (!this.closed) this.stats.gaveUp++;
  }

  close() {
    this.closed = true;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
