import type { Command } from 'commander';
import { listProducts } from './catalog.service.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

export function parsePeriod(v: string | undefined) {
  if (!v || v === 'none') return v === 'none' ? null : undefined;
  const m = /^(day|week|month|quarter|year):(\d{1,3})$/.exec(v);
  return m ? { unit: m[1], count: Number(m[2]) } : { unit: v, count: NaN };
}

export function registerProducts(program: Command, env: CommandEnv) {
  const products = program.command('products').description('the product catalog');
  // `products create` and `products update` set a product together with its supplier list: they span two
  // modules and live in flows/products.cli.ts, which adds them to this group.
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
