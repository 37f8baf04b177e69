import type { Executor, Tx } from '../../platform/db/db.ts';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { newId } from '../../platform/ids.ts';
import { addAttempt, rdb, type AttemptRow, type OrderRow } from './recharges.repo.ts';

// Recharge orders: one per direct-recharge grant; each attempt is one customer_order_no at one supplier,
// worked by one durable job (kind `recharge.attempt`, dedupe key = the attempt id).
export const RECHARGE_ATTEMPT_JOB = 'recharge.attempt';
/** a one-shot query (a `failed` callback is confirmed by one before it counts) */
export const RECHARGE_CONFIRM_JOB = 'recharge.confirm';

export interface SupplierChoice {
  supplierId: string;
  supplierProductId: string;
  unitCostFen: number;
}

/** The kinds of platform account a direct-recharge product can take (products.account_types). */
export type AccountType = 'mobile' | 'qq' | 'uid' | 'email';

const PATTERNS: Record<AccountType, RegExp> = {
  mobile: /^1[3-9][0-9]{9}$/,
  // QQ numbers: 5–11 digits, never a leading 0
  qq: /^[1-9][0-9]{4,10}$/,
  uid: /^[A-Za-z][A-Za-z0-9_.@-]{3,63}$/,
  email: /^[^\s@]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
};
const DESCRIBED: Record<AccountType, string> = {
  mobile: 'an 11-digit mobile number (1xxxxxxxxxx)',
  qq: 'a QQ number (5–11 digits)',
  uid: 'a platform uid (4–64 letters, digits, _ . - @, starting with a letter)',
  email: 'an email address',
};

/**
 * The account as it will be sent (trimmed; a mobile number without its +86) and every kind it could be.
 * An 11-digit mobile number is also a valid QQ number: the product's list decides which it is taken as.
 */
export function accountCandidates(raw: string): { account: string; types: AccountType[] } {
  const trimmed = raw.trim();
  const account = /^\+86/.test(trimmed) && PATTERNS.mobile.test(trimmed.slice(3)) ? trimmed.slice(3) : trimmed;
  if (account !== trimmed) return { account, types: ['mobile'] };
  return { account, types: (Object.keys(PATTERNS) as AccountType[]).filter((t) => account.length <= 254 && PATTERNS[t].test(account)) };
}

/**
 * Checks a recharge account against what the product takes. Answers the normalised account, or the reason
 * it is refused — in words the client can show, naming what the product does take.
 */
export function checkAccount(allowed: readonly AccountType[], raw: string): { ok: true; account: string; type: AccountType } | { ok: false; message: string } {
  const c = accountCandidates(raw);
  const type = allowed.length ? (Object.keys(PATTERNS) as AccountType[]).find((t) => allowed.includes(t) && c.types.includes(t)) : undefined;
  if (type) return { ok: true, account: c.account, type };
  const wants = (Object.keys(PATTERNS) as AccountType[]).filter((t) => allowed.includes(t)).map((t) => DESCRIBED[t]);
  return { ok: false, message: 'must be ' + (wants.length > 1 ? wants.slice(0, -1).join(', ') + ' or ' + wants[wants.length - 1] : wants[0] ?? 'an account') };
}

export function maskAccount(account: string): string {
  if (account.length <= 4) return account[0] + '*'.repeat(account.length - 1);
  if (account.length <= 7) return account.slice(0, 1) + '*'.repeat(account.length - 3) + account.slice(-2);
  return account.slice(0, 3) + '*'.repeat(account.length - 7) + account.slice(-4);
}

export const accountContext = (orderId: string) => 'account:' + orderId;

/** The account in clear, for the one call that needs it (the submit). Never logged. */
export function openAccount(secrets: ServerSecrets, order: Pick<OrderRow, 'id' | 'account_enc'>): string {
  return secrets.openPii(Buffer.from(order.account_enc), accountContext(order.id));
}

export interface CreateRechargeOrderInput {
  grantId: string;
  clientId: string | null;
  productId: string;
  /** already checked with checkAccount */
  account: string;
  secrets: ServerSecrets;
  first: SupplierChoice;
}

/** Order + first attempt + the job that submits it, in the caller's transaction. */
export async function createRechargeOrder(tx: Tx, input: CreateRechargeOrderInput): Promise<{ order: OrderRow; attempt: AttemptRow }> {
  const id = newId('rco');
  const order = (await rdb(tx)
    .insertInto('recharge_orders')
    .values({
      id,
      grant_id: input.grantId,
      client_id: input.clientId,
      product_id: input.productId,
      account_enc: input.secrets.sealPii(input.account, accountContext(id)),
      account_masked: maskAccount(input.account),
      account_fp: input.secrets.accountFingerprint(input.account),
      failure_code: null,
      failure_message: null,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()) as OrderRow;
  const attempt = await addAttemptWithJob(tx, order.id, input.first);
  return { order, attempt: attempt! };
}

/** The next attempt of an open order and its job; null when the order is closed already. */
export async function addAttemptWithJob(tx: Executor, orderId: string, s: SupplierChoice): Promise<AttemptRow | null> {
  const attempt = await addAttempt(tx, orderId, { id: newId('rca'), ...s });
  if (!attempt) return null;
  await enqueue(tx, RECHARGE_ATTEMPT_JOB, { attempt_id: attempt.id, supplier_id: attempt.supplier_id }, { dedupeKey: attempt.id });
  return attempt;
}

export async function enqueueConfirm(tx: Executor, attemptId: string): Promise<void> {
  await enqueue(tx, RECHARGE_CONFIRM_JOB, { attempt_id: attemptId }, { dedupeKey: 'confirm:' + attemptId });
}
