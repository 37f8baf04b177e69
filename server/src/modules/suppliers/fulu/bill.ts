// Daily bills (DESIGN §11): one CSV per China-time day with the columns below. The sandbox writes them with
// formatBill, the adapter reads them with parseBill; a bill that cannot be read is refused whole, with the
// line that broke it — a reconciliation built on half a bill would report false "only on ours" lines.
import { parse } from 'csv-parse/sync';
import type { BillLine } from '../adapters/adapter.ts';
import { fail } from '../../../platform/errors.ts';
import { numericField, optionalString, productIdField } from './fields.ts';
import { fenToYuan, yuanToFen } from './money.ts';
import { ORDER_STATES } from './wire.ts';

export const BILL_COLUMNS = ['order_id', 'customer_order_no', 'product_id', 'charge_account', 'buy_num', 'order_price', 'order_state', 'finish_time'] as const;

export function parseBill(csv: string): BillLine[] {
  let rows: string[][];
  try {
    rows = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: true }) as string[][];
  } catch (e) {
    throw fail('invalid_file', `the bill is not valid CSV (${(e as { code?: string }).code ?? 'parse error'})`);
  }
  if (rows.length === 0) throw fail('invalid_file', 'the bill has no header line');
  const header = rows[0].map((h) => h.toLowerCase());
  const index = Object.fromEntries(BILL_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<(typeof BILL_COLUMNS)[number], number>;
  const missing = BILL_COLUMNS.filter((c) => index[c] < 0);
  if (missing.length) throw fail('invalid_file', `the bill lacks the column(s) ${missing.join(', ')}`);
  return rows.slice(1).map((row, i) => parseLine(row, index, i + 2));
}

function parseLine(row: string[], index: Record<(typeof BILL_COLUMNS)[number], number>, line: number): BillLine {
  const bad = (what: string) => fail('invalid_file', `bill line ${line}: ${what}`);
  const get = (c: (typeof BILL_COLUMNS)[number]) => row[index[c]] ?? '';
  const orderId = get('order_id');
  const customerOrderNo = get('customer_order_no');
  if (!orderId) throw bad('order_id is empty');
  if (!customerOrderNo) throw bad('customer_order_no is empty');
  const productId = productIdField(get('product_id'));
  if (productId === null) throw bad('product_id is not a number');
  const buyNum = numericField(get('buy_num'));
  if (buyNum === null || buyNum < 1) throw bad('buy_num is not a positive integer');
  const priceFen = yuanToFen(get('order_price'));
  if (priceFen === null) throw bad('order_price is not a decimal amount in 元');
  const state = get('order_state');
  if (!(ORDER_STATES as readonly string[]).includes(state)) throw bad('order_state is unknown');
  return {
    orderId,
    customerOrderNo,
    productId,
    chargeAccount: optionalString(get('charge_account')) ?? null,
    buyNum,
    priceFen,
    state: state as BillLine['state'],
    finishedAt: optionalString(get('finish_time')) ?? null,
  };
}

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function formatBill(lines: BillLine[]): string {
  const out = [BILL_COLUMNS.join(',')];
  for (const l of lines) {
    out.push(
      [l.orderId, l.customerOrderNo, l.productId, l.chargeAccount ?? '', String(l.buyNum), fenToYuan(l.priceFen, 4), l.state, l.finishedAt ?? '']
        .map(quote)
        .join(','),
    );
  }
  return out.join('\n') + '\n';
}
