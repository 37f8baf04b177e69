import { PassThrough, type Writable } from 'node:stream';
import type { AppContext } from '../../platform/context.ts';
import { redeemUrl } from '../grants/index.ts';
import { rowsPage, type BulkRowRow } from './bulk.repo.ts';

// The per-row result report of a run (CSV or XLSX), streamed a page of rows at a time. Recipients appear
// masked; the redeem link of each issued row is there because handing links out is what the report is for
// (the download is permissioned and audited by the route).
export const REPORT_COLUMNS = ['row', 'recipient', 'product_id', 'status', 'grant_id', 'redeem_url', 'error_code', 'error'] as const;
const PAGE = 1000;

function maskEmail(e: string): string {
  const [user, domain] = e.split('@');
  return (user.length <= 2 ? user[0] + '*' : user.slice(0, 2) + '*'.repeat(Math.min(user.length - 2, 6))) + '@' + domain;
}

/** The recipient as the report shows it: what identifies them, masked where it is personal. */
export function shownRecipient(r: BulkRowRow): string {
  return [r.external_id, r.phone_masked, r.email ? maskEmail(r.email) : null, r.account_masked ? 'account ' + r.account_masked : null].filter(Boolean).join(' / ');
}

function recordOf(ctx: AppContext, r: BulkRowRow): (string | number)[] {
  return [r.row_no, shownRecipient(r), r.product_id ?? '', r.status, r.grant_id ?? '', r.grant_id ? redeemUrl(ctx.config.publicUrl, ctx.secrets, r.grant_id) : '', r.error_code ?? '', r.error ?? ''];
}

async function* records(ctx: AppContext, runId: string): AsyncGenerator<(string | number)[]> {
  let after = 0;
  for (;;) {
    const page = await rowsPage(ctx.db, runId, after, PAGE);
    for (const r of page) yield recordOf(ctx, r);
    if (page.length < PAGE) return;
    after = page[page.length - 1].row_no;
  }
}

// a leading = + - @ would be read as a formula by a spreadsheet (CSV injection): prefixed with '
const cell = (v: string | number) => {
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

async function write(out: Writable, chunk: string) {
  if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
}

/** Writes the report of `runId` into `out` and ends it. */
export async function writeReport(ctx: AppContext, runId: string, format: 'csv' | 'xlsx', out: Writable): Promise<number> {
  let n = 0;
  if (format === 'csv') {
    await write(out, '\ufeff' + REPORT_COLUMNS.join(',') + '\r\n');
    for await (const rec of records(ctx, runId)) {
      await write(out, rec.map(cell).join(',') + '\r\n');
      n++;
    }
    out.end();
    return n;
  }
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('report');
  ws.addRow([...REPORT_COLUMNS]).commit();
  for await (const rec of records(ctx, runId)) {
    ws.addRow(rec).commit();
    n++;
  }
  ws.commit();
  await wb.commit();
  return n;
}

/** The report as a stream to send; errors end the stream (the client sees a truncated download). */
export function reportStream(ctx: AppContext, runId: string, format: 'csv' | 'xlsx'): PassThrough {
  const out = new PassThrough();
  writeReport(ctx, runId, format, out).catch((e) => out.destroy(e as Error));
  return out;
}
