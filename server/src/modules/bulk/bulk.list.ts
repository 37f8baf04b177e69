import path from 'node:path';
import type { Readable } from 'node:stream';
import { badRequest } from '../../platform/errors.ts';
import { csvRows, xlsxRows, type RawRow } from '../inventory/index.ts';
import { headerOf, type ListRow, type RecipientColumn } from './bulk.intake.ts';
import type { CreateBulkBody } from './bulk.schemas.ts';

// A recipient list as rows, from an uploaded file (streamed: CSV or XLSX, a header row naming the
// columns) or from the JSON rows of POST /v1/bulk-issuances.
export type ListFormat = 'csv' | 'xlsx';

export function listFormat(filename: string, explicit?: string | null): ListFormat {
  const f = (explicit || path.extname(filename).slice(1)).toLowerCase();
  if (f === 'csv' || f === 'tsv' || f === 'txt') return 'csv';
  if (f === 'xlsx') return 'xlsx';
  throw badRequest('unsupported_format', `Cannot read "${filename}" as a recipient list: send a .csv or .xlsx file (or pass format=csv|xlsx).`);
}

/** The rows of a file; the first non-empty row must be a header naming at least one recipient column. */
export async function* fileRows(format: ListFormat, input: Readable): AsyncGenerator<ListRow> {
  const raw: AsyncGenerator<RawRow> = format === 'csv' ? csvRows(input) : xlsxRows(input);
  let cols: (RecipientColumn | null)[] | null = null;
  for await (const r of raw) {
    if (r.fields.every((f) => f.trim() === '')) continue;
    if (!cols) {
      cols = headerOf(r.fields);
      if (!cols) throw badRequest('bulk_header_missing', 'The first row of the list must name its columns: phone, email, external_id, account, product, out_order_no (or 手机号, 邮箱, 用户ID, 充值账号, 商品, 订单号).');
      continue;
    }
    if (r.error) {
      yield { line: r.line, fields: {}, error: r.error };
      continue;
    }
    const fields: ListRow['fields'] = {};
    cols.forEach((c, i) => {
      const v = r.fields[i]?.trim();
      if (c && v) fields[c] = v;
    });
    yield { line: r.line, fields };
  }
}

/** The rows of a JSON body: numbered from 1 in the order sent. */
export function bodyRows(body: CreateBulkBody): ListRow[] {
  return body.rows.map((r, i) => {
    const fields: ListRow['fields'] = {};
    for (const [k, v] of Object.entries(r)) if (typeof v === 'string' && v.trim()) fields[k as RecipientColumn] = v.trim();
    return { line: i + 1, fields };
  });
}
