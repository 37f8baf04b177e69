// The supplier adapter interface (DESIGN §11): one small interface, a real implementation per supplier
// protocol (`fulu`), and the sandbox supplier that speaks the same protocol over real HTTP. Adapters never
// throw for expected outcomes: every call answers a result value. Money is integer 分.

export interface SupplierCredentials {
  endpoint: string;
  appKey: string;
  appSecret: string;
}

export type SupplierOrderState = 'untreated' | 'processing' | 'success' | 'failed';

export interface SupplierCard {
  cardNumber: string;
  cardPwd: string;
  /** as the supplier sent it (may be empty) */
  deadline: string | null;
}

export interface SupplierOrder {
  orderId: string;
  customerOrderNo: string;
  productId: string;
  /** the account recharged (direct) — never logged in full */
  chargeAccount: string | null;
  buyNum: number;
  /** 3 card, 4 direct */
  orderType: number;
  priceFen: number;
  state: SupplierOrderState;
  createdAt: string | null;
  finishedAt: string | null;
  /** card orders, once final: already decrypted from the supplier's transport encryption */
  cards?: SupplierCard[];
}

/** Why a call gave no usable answer. `countsForCircuit`: timeouts, transport errors, 5xx and code 5000. */
export interface CallFailure {
  countsForCircuit: boolean;
  reason: string;
}

export type SubmitResult =
  /** the supplier has the order (new, or the existing one on a duplicate customer_order_no: code 2002) */
  | { kind: 'accepted'; order: SupplierOrder; duplicate: boolean }
  /** no order was created: 3001–3004 and 5000 are safe to fail over; 4001 is the account's fault */
  | { kind: 'rejected'; code: number; message: string; safeToFailover: boolean; accountInvalid: boolean; countsForCircuit: boolean }
  /** timeout, network error, 5xx, unverifiable answer: the order may or may not exist */
  | ({ kind: 'unknown' } & CallFailure);

export type QueryResult = { kind: 'found'; order: SupplierOrder } | { kind: 'not_found' } | ({ kind: 'unknown' } & CallFailure);

export type BalanceResult = { kind: 'ok'; name: string; balanceFen: number; isOpen: boolean } | ({ kind: 'unknown' } & CallFailure);

export interface SupplierCallback {
  orderId: string;
  customerOrderNo: string;
  status: 'success' | 'failed';
  description: string;
  productId: string;
  priceFen: number;
  buyNum: number;
  finishedAt: string | null;
  operatorSerialNumber: string | null;
}

export type CallbackResult = { ok: true; callback: SupplierCallback } | { ok: false; reason: string };

export interface BillLine {
  orderId: string;
  customerOrderNo: string;
  productId: string;
  chargeAccount: string | null;
  buyNum: number;
  priceFen: number;
  state: SupplierOrderState;
  finishedAt: string | null;
}

export type BillResult = { kind: 'ok'; lines: BillLine[] } | ({ kind: 'unknown' } & CallFailure);

export interface SupplierAdapter {
  readonly name: string;
  submitRecharge(c: SupplierCredentials, req: { productId: string; customerOrderNo: string; account: string; buyNum: number }, opts?: { timeoutMs?: number }): Promise<SubmitResult>;
  buyCards(c: SupplierCredentials, req: { productId: string; customerOrderNo: string; buyNum: number }, opts?: { timeoutMs?: number }): Promise<SubmitResult>;
  queryOrder(c: SupplierCredentials, customerOrderNo: string, opts?: { timeoutMs?: number }): Promise<QueryResult>;
  queryBalance(c: SupplierCredentials, opts?: { timeoutMs?: number }): Promise<BalanceResult>;
  /** verifies the signature and parses a callback body (the raw bytes as received) */
  verifyCallback(c: SupplierCredentials, rawBody: string): CallbackResult;
  /** the supplier's bill of one day (YYYY-MM-DD, China time) */
  fetchBill(c: SupplierCredentials, day: string, opts?: { timeoutMs?: number }): Promise<BillResult>;
  /** parses a bill file in this supplier's format (CSV) */
  parseBill(csv: string): BillLine[];
}
