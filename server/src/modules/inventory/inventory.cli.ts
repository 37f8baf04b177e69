import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { AppError, badRequest, validationFailed } from '../../platform/errors.ts';
import { importCodes, type ImportResult } from './import.service.ts';
import { stockLevels, type StockRow } from './stock.service.ts';
import { parseExpiry } from './parsers/rows.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

// `quanyi codes import` and `quanyi stock`. With --json stdout carries exactly one JSON document a script
// can parse; the progress bar and the human summary go to stderr / stdout only without it.
function importArgs(o: { file: string; cost?: string; expires?: string }) {
  let size: number;
  try {
    const st = fs.statSync(o.file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch {
    throw new AppError(404, 'file_not_found', 'Not found', `Cannot read the file ${o.file}.`);
  }
  if (o.cost !== undefined && !/^\d{1,12}$/.test(o.cost)) throw validationFailed([{ field: 'cost', message: 'must be a non-negative integer (分)' }]);
  let expiresAt: Date | null = null;
  if (o.expires !== undefined) {
    expiresAt = parseExpiry(o.expires);
    if (!expiresAt) throw validationFailed([{ field: 'expires', message: 'must be an ISO 8601 date or date-time' }]);
    if (expiresAt.getTime() <= Date.now()) throw badRequest('already_expired', `--expires ${o.expires} is in the past.`);
  }
  return { size, unitCost: o.cost === undefined ? null : Number(o.cost), expiresAt };
}

function printSummary(r: ImportResult, sku: string) {
  const out = process.stdout;
  out.write(`batch ${r.batch_id} (${sku}): imported ${r.imported} of ${r.total_rows} rows, rejected ${r.rejected_count}\n`);
  const shown = r.rejected.slice(0, 20);
  for (const x of shown) out.write(`  line ${x.line}: ${x.reason}\n`);
  if (r.rejected_count > shown.length) out.write(`  … and ${r.rejected_count - shown.length} more (GET /v1/admin/batches/${r.batch_id} has the report)\n`);
}

function printStock(rows: StockRow[]) {
  const head = ['SKU', 'AVAILABLE', 'RESERVED', 'DELIVERED', 'EXPIRED', 'VOIDED', 'SAFETY', ''];
  const lines = rows.map((r) => [r.sku, r.available, r.reserved, r.delivered, r.expired, r.voided, r.safety_stock, r.below_safety_stock ? 'LOW' : ''].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  for (const l of [head, ...lines]) process.stdout.write(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd() + '\n');
  if (rows.length === 0) process.stdout.write('no card-code products yet\n');
}

export function registerCodes(program: Command, env: CommandEnv) {
  const codes = program.command('codes').description('card-code inventory');
  codes
    .command('import')
    .description('import card codes from a CSV, TXT or XLSX file (encrypted before they reach the database)')
    .requiredOption('--product <sku>', 'product sku or id (kind card_code or link)')
    .requiredOption('--file <path>', 'the codes file')
    .option('--format <format>', 'csv | txt | xlsx (default: from the file extension)')
    .option('--supplier <name>', 'who the codes came from')
    .option('--cost <fen>', 'unit cost per code in 分')
    .option('--expires <iso>', 'expiry for codes whose row has none (ISO 8601)')
    .option('--json', 'print {batch_id, imported, rejected: [{line, reason}]} as JSON')
    .action(async (o) => {
      const json = Boolean(o.json);
      await env.run('codes import', json, async (ctx) => {
        const args = importArgs(o);
        const bar = json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: 'importing [{bar}] {percentage}% | {value}/{total} bytes', hideCursor: true }, cliProgress.Presets.shades_classic);
        bar?.start(args.size, 0);
        let result: ImportResult;
        try {
          result = await importCodes(ctx, {
            product: o.product,
            input: fs.createReadStream(o.file),
            sourceName: o.file,
            format: o.format,
            supplier: o.supplier ?? null,
            unitCost: args.unitCost,
            expiresAt: args.expiresAt,
            actor: 'cli',
            onProgress: (n) => bar?.update(n),
          });
        } finally {
          bar?.stop();
        }
        if (json) printJson({ batch_id: result.batch_id, imported: result.imported, rejected: result.rejected });
        else printSummary(result, o.product);
      });
    });

  program
    .command('stock')
    .description('stock per product: available / reserved / delivered / expired / voided')
    .option('--product <sku>', 'one product (sku or id)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('stock', Boolean(o.json), async (ctx) => {
        const rows = await stockLevels(ctx.db, { product: o.product });
        if (o.json) printJson({ data: rows });
        else printStock(rows);
      });
    });
}
