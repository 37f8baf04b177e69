import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CommandEnv } from '../../platform/module.ts';
import { fail } from '../../platform/errors.ts';
import { printJson } from '../../platform/cli/output.ts';
import { fenToYuan } from '../../modules/suppliers/index.ts';
import { CATEGORIES } from '../../modules/procurement/index.ts';
import { fetchBill, importBill, reconciliationReport, reportCsv, type BillSummary } from './bills.ts';
import { purchaseByHand } from './buy.ts';
import { configureProcurement, purchasesView } from './settings.ts';

// `quanyi procurement …`, `quanyi bills import|fetch`, `quanyi reconcile`. Errors and exit codes come from
// the shared command runner (env.run).

const MAX_BILL_BYTES = 20 * 1024 * 1024;

const billLine = (b: BillSummary) => `bill ${b.id}: ${b.supplier_name} ${b.day}, ${b.lines} line(s) (${b.source}${b.replaced ? ', replaced the earlier import' : ''})\n`;

function positiveInt(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1) throw fail('validation_failed', `${name} must be a positive integer`);
  return Number(text);
}

export function registerProcurementCli(program: Command, env: CommandEnv) {
  const proc = program.command('procurement').description('buying card codes from suppliers below safety stock (采货)');
  proc
    .command('set')
    .description('set the reorder quantity of a card-code product (automatic buying on, unless --off)')
    .requiredOption('--product <sku|id>', 'the product')
    .requiredOption('--reorder-quantity <n>', 'codes to buy when available stock falls below the safety stock')
    .option('--off', 'keep the quantity but do not buy automatically')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('procurement set', Boolean(o.json), async (ctx) => {
        const s = await configureProcurement(ctx, o.product, { reorder_quantity: positiveInt(o.reorderQuantity, '--reorder-quantity')!, enabled: !o.off }, 'cli');
        if (o.json) printJson(s);
        else process.stdout.write(`${s.sku ?? s.product_id}: reorder ${s.reorder_quantity}, automatic buying ${s.enabled ? 'on' : 'off'}\n`);
      });
    });
  proc
    .command('buy')
    .description('open a purchase order now (or show the open one)')
    .requiredOption('--product <sku|id>', 'the product')
    .option('--quantity <n>', 'other than the configured reorder quantity')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('procurement buy', Boolean(o.json), async (ctx) => {
        const r = await purchaseByHand(ctx, o.product, 'cli', positiveInt(o.quantity, '--quantity'));
        if (o.json) printJson({ created: r.created, purchase: r.purchase });
        else process.stdout.write(`${r.created ? 'opened' : 'already open:'} purchase order ${r.purchase.id} (${r.purchase.quantity} codes, ${r.purchase.state})\n`);
      });
    });
  proc
    .command('list')
    .description('purchase orders, newest first')
    .option('--product <sku|id>', 'only this product')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('procurement list', Boolean(o.json), async (ctx) => {
        const page = await purchasesView(ctx, { product: o.product, limit: 200 });
        if (o.json) printJson(page.data);
        else for (const p of page.data) process.stdout.write(`${p.id}  ${p.product_id}  ${String(p.quantity).padStart(5)}  ${p.state.padEnd(10)} ${p.batch_id ?? ''}\n`);
      });
    });

  const bills = program.command('bills').description("suppliers' daily bills");
  bills
    .command('import')
    .description("import a supplier's bill (CSV in its format); importing a day again replaces it")
    .requiredOption('--supplier <name|id>', 'the supplier')
    .requiredOption('--file <path>', 'the CSV file')
    .option('--day <YYYY-MM-DD>', "the bill's day (default: the one day its finish times fall on)")
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('bills import', Boolean(o.json), async (ctx) => {
        const buf = await readFile(o.file);
        if (buf.length > MAX_BILL_BYTES) throw fail('payload_too_large', `the file is larger than ${MAX_BILL_BYTES} bytes`);
        const b = await importBill(ctx, { supplier: o.supplier, day: o.day, csv: buf.toString('utf8'), actor: 'cli' });
        if (o.json) printJson(b);
        else process.stdout.write(billLine(b));
      });
    });
  bills
    .command('fetch')
    .description("fetch a supplier's bill of a day through its adapter")
    .requiredOption('--supplier <name|id>', 'the supplier')
    .requiredOption('--day <YYYY-MM-DD>', 'the China-time day')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('bills fetch', Boolean(o.json), async (ctx) => {
        const b = await fetchBill(ctx, { supplier: o.supplier, day: o.day, actor: 'cli' });
        if (o.json) printJson(b);
        else process.stdout.write(billLine(b));
      });
    });

  program
    .command('reconcile')
    .description("reconcile a supplier's imported bill of a day against our recharges and purchases")
    .requiredOption('--supplier <name|id>', 'the supplier')
    .requiredOption('--day <YYYY-MM-DD>', 'the China-time day')
    .option('--json', 'print JSON')
    .option('--csv', 'print the report as CSV')
    .action(async (o) => {
      await env.run('reconcile', Boolean(o.json), async (ctx) => {
        const r = await reconciliationReport(ctx, o.supplier, o.day);
        if (o.json) return printJson(r);
        if (o.csv) return void process.stdout.write(reportCsv(r));
        process.stdout.write(`reconciliation ${r.supplier_name} ${r.day} (bill ${r.bill.id}, ${r.bill.lines} line(s))\n`);
        for (const c of [...CATEGORIES, 'all' as const]) {
          const t = r.totals[c];
          process.stdout.write(`  ${c.padEnd(15)} ${String(t.count).padStart(6)}  theirs ${fenToYuan(t.their_fen).padStart(12)}  ours ${fenToYuan(t.our_fen).padStart(12)}\n`);
        }
        const off = r.lines.filter((l) => l.category !== 'matched');
        for (const l of off) process.stdout.write(`  ${l.category.padEnd(15)} ${l.customer_order_no}  theirs ${fenToYuan(l.their_fen)}  ours ${fenToYuan(l.our_fen)}\n`);
      });
    });
}
