import { createHash } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import type { Tx } from '../../platform/db/db.ts';
import type { BulkRowsTable } from '../../platform/db/schema.ts';
import type { ErrorCode } from '../../platform/error-codes.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { findProduct } from '../catalog/index.ts';
import { maskPhone } from '../grants/index.ts';
import { maskAccount } from '../recharges/index.ts';
import { insertRows } from './bulk.repo.ts';

// Reading a recipient list into rows: each row is checked on its own (a bad row is stored as `rejected`
// with its reason and the rest proceeds), a recipient seen before for the same product is a `duplicate`,
// and the rows are written a chunk at a time, so a 100,000-row list is never held in memory.
export const RECIPIENT_COLUMNS = ['phone', 'email', 'external_id', 'account', 'product', 'out_order_no'] as const;
export type RecipientColumn = (typeof RECIPIENT_COLUMNS)[number];
export type RecipientFields = Partial<Record<RecipientColumn, string>>;
export interface ListRow {
  /** the row's number in the list: the file line (the header is line 1), or the 1-based index of a JSON row */
  line: number;
  fields: RecipientFields;
  /** the row cannot be read at all (reported as is) */
  error?: string;
}

const ALIASES: Record<RecipientColumn, string[]> = {
  phone: ['phone', 'mobile', 'tel', '手机', '手机号', '手机号码', '电话'],
  email: ['email', 'e-mail', 'mail', '邮箱', '电子邮箱'],
  external_id: ['external_id', 'user_id', 'uid', 'employee_id', '用户id', '用户编号', '员工号', '工号'],
  account: ['account', 'recharge_account', 'charge_account', '账号', '充值账号'],
  product: ['product', 'sku', '商品', '商品编码'],
  out_order_no: ['out_order_no', 'order_no', '订单号', '外部订单号'],
};
const BY_ALIAS = new Map<string, RecipientColumn>();
for (const [col, names] of Object.entries(ALIASES)) for (const n of names) BY_ALIAS.set(n, col as RecipientColumn);

/** The columns named by a header row (unknown names are ignored), or null when it names none we know. */
export function headerOf(fields: string[]): (RecipientColumn | null)[] | null {
  const cols = fields.map((f) => BY_ALIAS.get(f.trim().toLowerCase()) ?? null);
  return cols.some((c) => c && c !== 'product' && c !== 'out_order_no') ? cols : null;
}

export const CHUNK_ROWS = 1000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const ORDER_NO = /^[\x21-\x7e]{1,64}$/;

export interface IntakeResult {
  total: number;
  valid: number;
  rejected: number;
  duplicates: number;
  /** the first rejected rows, for a 400 when nothing is valid */
  firstProblems: { row: number; code: string; message: string }[];
}

interface ProductRef {
  id: string;
  kind: string;
  status: string;
}

type Checked = { ok: true; row: Insertable<BulkRowsTable>; key: string } | { ok: false; code: ErrorCode; message: string };

/** Writes the rows of `rows` for run `runId` in chunks, inside the caller's transaction. */
export async function intakeRows(ctx: AppContext, tx: Tx, runId: string, defaultProduct: string | null, rows: AsyncIterable<ListRow> | Iterable<ListRow>): Promise<IntakeResult> {
  const products = new Map<string, ProductRef | null>();
  async function product(ref: string): Promise<ProductRef | null> {
    if (!products.has(ref)) {
      const p = await findProduct(tx, ref);
      products.set(ref, p ? { id: p.id, kind: p.kind, status: p.status } : null);
      if (p) products.set(p.id, { id: p.id, kind: p.kind, status: p.status });
    }
    return products.get(ref)!;
  }
  // hashed recipient keys of this run: 20 bytes each, not the rows
  const seen = new Set<string>();
  const out: IntakeResult = { total: 0, valid: 0, rejected: 0, duplicates: 0, firstProblems: [] };
  let chunk: Insertable<BulkRowsTable>[] = [];

  async function check(r: ListRow): Promise<Checked> {
    if (r.error) return { ok: false, code: 'bulk_row_invalid', message: r.error };
    const f = r.fields;
    const ref = f.product || defaultProduct;
    if (!ref) return { ok: false, code: 'validation_failed', message: 'no product: give the run a product or the row a product column' };
    const p = await product(ref);
    if (!p) return { ok: false, code: 'product_not_found', message: `no product with sku or id ${ref}` };
    if (p.status !== 'active') return { ok: false, code: 'product_inactive', message: `product ${ref} is ${p.status}` };
    if (f.external_id && f.external_id.length > 128) return { ok: false, code: 'bulk_row_invalid', message: 'external_id is longer than 128 characters' };
    let phone: string | null = null;
    if (f.phone) {
      phone = normalisePhone(f.phone);
      if (!phone) return { ok: false, code: 'invalid_phone', message: 'phone is not a phone number (6–20 digits)' };
    }
    const email = f.email ? f.email.toLowerCase() : null;
    if (email && (!EMAIL.test(email) || email.length > 254)) return { ok: false, code: 'invalid_email', message: 'email is not an email address' };
    if (f.account && f.account.length > 64) return { ok: false, code: 'bulk_row_invalid', message: 'account is longer than 64 characters' };
    if (f.out_order_no && !ORDER_NO.test(f.out_order_no)) return { ok: false, code: 'bulk_row_invalid', message: 'out_order_no must be 1–64 printable ASCII characters' };
    let key: string;
    if (p.kind === 'direct_recharge') {
      if (!f.account) return { ok: false, code: 'recharge_account_missing', message: 'a direct-recharge product needs the account to top up' };
      key = 'a:' + f.account;
    } else if (p.kind === 'card_code' || p.kind === 'link') {
      if (!f.external_id && !phone && !email) return { ok: false, code: 'recipient_missing', message: 'no recipient: give a phone, email or external_id' };
      key = f.external_id ? 'x:' + f.external_id : phone ? 'p:' + phone : 'e:' + email;
    } else {
      return { ok: false, code: 'wrong_product_kind', message: `product ${ref} is a ${p.kind} product, which bulk issuance does not issue` };
    }
    return {
      ok: true,
      key: p.id + '|' + key,
      row: {
        run_id: runId,
        row_no: r.line,
        status: 'pending',
        product_id: p.id,
        external_id: f.external_id || null,
        phone_enc: phone ? ctx.secrets.sealPii(phone, rowPiiContext('phone', runId, r.line)) : null,
        phone_masked: phone ? maskPhone(phone) : null,
        email,
        account_enc: f.account ? ctx.secrets.sealPii(f.account, rowPiiContext('account', runId, r.line)) : null,
        account_masked: f.account ? maskAccount(f.account) : null,
        out_order_no: f.out_order_no || null,
      },
    };
  }

  for await (const r of rows) {
    out.total++;
    const c = await check(r);
    if (c.ok) {
      const h = createHash('sha1').update(c.key).digest('base64');
      if (seen.has(h)) {
        out.duplicates++;
        chunk.push({ ...c.row, status: 'duplicate', phone_enc: null, account_enc: null, error_code: 'duplicate_recipient', error: 'the same recipient is on the list earlier for the same product' });
      } else {
        seen.add(h);
        out.valid++;
        chunk.push(c.row);
      }
    } else {
      out.rejected++;
      if (out.firstProblems.length < 20) out.firstProblems.push({ row: r.line, code: c.code, message: c.message });
      chunk.push({ run_id: runId, row_no: r.line, status: 'rejected', error_code: c.code, error: c.message });
    }
    if (chunk.length >= CHUNK_ROWS) {
      await insertRows(tx, chunk);
      chunk = [];
    }
  }
  await insertRows(tx, chunk);
  return out;
}

/** The encryption context of a row's phone or account: a sealed value is bound to its run and row. */
export const rowPiiContext = (what: 'phone' | 'account', runId: string, rowNo: number) => `bulk-${what}:${runId}:${rowNo}`;
