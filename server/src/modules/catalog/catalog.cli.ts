import type { Command } from 'commander';
import { createProduct, listProducts } from './catalog.service.ts';
import { ProductCreate } from './catalog.schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { validateInput } from '../../platform/cli/validate.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

const int = (v: string | undefined) => (v === undefined ? undefined : /^-?\d+$/.test(v) ? Number(v) : NaN);

export function parsePeriod(v: string | undefined) {
  if (!v || v === 'none') return v === 'none' ? null : undefined;
  const m = /^(day|week|month|quarter|year):(\d{1,3})$/.exec(v);
  return m ? { unit: m[1], count: Number(m[2]) } : { unit: v, count: NaN };
}

export function registerProducts(program: Command, env: CommandEnv) {
  const products = program.command('products').description('the product catalog');
  products
    .command('create')
    .description('create a product')
    .requiredOption('--sku <sku>', 'your SKU code')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--platform <platform>', 'iqiyi, tencent_video, youku, mango_tv, bilibili …')
    .option('--kind <kind>', 'card_code | direct_recharge | link', 'card_code')
    .option('--period <unit:count>', 'e.g. month:1, quarter:1, year:1 (or none)')
    .option('--renewal', 'first period of an auto-renewing subscription')
    .option('--price <fen>', 'price in 分')
    .option('--cost <fen>', 'cost in 分')
    .option('--face-value <fen>', 'face value in 分')
    .option('--currency <code>', 'ISO currency', 'CNY')
    .option('--validity-days <days>', 'days a grant stays redeemable after issue')
    .option('--safety-stock <n>', 'warn when available stock falls below this')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('products create', Boolean(o.json), async (ctx) => {
        const input = validateInput(ProductCreate, {
          sku: o.sku,
          name: o.name,
          platform: o.platform,
          kind: o.kind,
          period: parsePeriod(o.period),
          renewal: Boolean(o.renewal),
          currency: o.currency,
          price: int(o.price),
          cost: int(o.cost),
          face_value: int(o.faceValue),
          validity_days: int(o.validityDays),
          safety_stock: int(o.safetyStock),
        });
        const p = await ctx.db.transaction().execute(async (tx) => {
          const created = await createProduct(tx, input);
          await appendAudit(tx, { actor: 'cli', action: 'product.create', target: created.id, details: { sku: created.sku, name: created.name, kind: created.kind, price: created.price } });
          return created;
        });
        if (o.json) printJson(p);
        else process.stdout.write(`created ${p.id} (${p.sku})\n`);
      });
    });
  products
    .command('list')
    .description('list products')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('products list', Boolean(o.json), async (ctx) => {
        const all = [];
        let cursor: string | undefined;
        do {
          const page = await listProducts(ctx.db, { limit: 200, cursor });
          all.push(...page.data);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        if (o.json) return printJson(all);
        for (const p of all) {
          const period = p.period ? `${p.period.unit}:${p.period.count}${p.renewal ? ' (renewal)' : ''}` : '-';
          process.stdout.write(`${p.id}  ${p.sku.padEnd(24)} ${p.kind.padEnd(15)} ${period.padEnd(12)} ${(p.price / 100).toFixed(2).padStart(9)} ${p.currency}  ${p.status}  ${p.name}\n`);
        }
      });
    });
}
