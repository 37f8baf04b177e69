import type { Command } from 'commander';
import type { CommandEnv } from '../../platform/module.ts';
import { printJson } from '../../platform/cli/output.ts';
import { validateInput } from '../../platform/cli/validate.ts';
import { SupplierCreate, SupplierUpdate, type Supplier } from './suppliers.schemas.ts';
import { createSupplier, listSuppliers, updateSupplier } from './suppliers.service.ts';

// `quanyi suppliers …`. Errors and exit codes come from the shared command runner (env.run).

const line = (s: Supplier) =>
  `${s.id}  ${s.name.padEnd(20)} ${s.adapter.padEnd(6)} ${s.status.padEnd(8)} balance ${s.balance === null ? '-' : (s.balance / 100).toFixed(2)}  circuit ${s.circuit.state}  ${s.endpoint}`;

export function registerSuppliersCli(program: Command, env: CommandEnv) {
  const suppliers = program.command('suppliers').description('upstream suppliers (direct recharge, card purchases)');
  suppliers
    .command('create')
    .description('register a supplier; prints it with the callback_url to configure at the supplier')
    .requiredOption('--name <name>', 'unique name (used by `products … --suppliers`)')
    .requiredOption('--adapter <adapter>', 'the protocol: fulu')
    .requiredOption('--endpoint <url>', 'the supplier gateway URL')
    .requiredOption('--app-key <key>', 'app_key the supplier gave you')
    .option('--app-secret <secret>', 'app_secret, stored encrypted, never shown again (or QUANYI_SUPPLIER_APP_SECRET, which keeps it out of the process list)')
    .option('--low-balance-threshold <fen>', 'alert when the balance falls below this (分)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('suppliers create', Boolean(o.json), async (ctx) => {
        const threshold = o.lowBalanceThreshold === undefined ? undefined : /^\d+$/.test(o.lowBalanceThreshold) ? Number(o.lowBalanceThreshold) : NaN;
        const input = validateInput(SupplierCreate, { name: o.name, adapter: o.adapter, endpoint: o.endpoint, app_key: o.appKey, app_secret: o.appSecret ?? process.env.QUANYI_SUPPLIER_APP_SECRET, low_balance_threshold: threshold });
        const s = await ctx.db.transaction().execute((tx) => createSupplier(ctx, tx, input, 'cli'));
        if (o.json) printJson(s);
        else process.stdout.write(`supplier ${s.id} (${s.name})\n  callback_url: ${s.callback_url}\n(configure the callback_url at the supplier)\n`);
      });
    });
  suppliers
    .command('update <supplier>')
    .description('change a supplier (by id or name): endpoint, credentials (rotation), status, threshold')
    .option('--name <name>', 'new name')
    .option('--endpoint <url>', 'the supplier gateway URL')
    .option('--app-key <key>', 'new app_key')
    .option('--app-secret <secret>', 'new app_secret')
    .option('--app-secret-from-env', 'new app_secret from QUANYI_SUPPLIER_APP_SECRET (keeps it out of the process list)')
    .option('--status <status>', 'active | disabled')
    .option('--low-balance-threshold <fen>', 'alert below this (分); "none" removes it')
    .option('--json', 'print JSON')
    .action(async (ref: string, o) => {
      await env.run('suppliers update', Boolean(o.json), async (ctx) => {
        const t = o.lowBalanceThreshold;
        const threshold = t === undefined ? undefined : t === 'none' ? null : /^\d+$/.test(t) ? Number(t) : NaN;
        const input = validateInput(SupplierUpdate, {
          name: o.name,
          endpoint: o.endpoint,
          app_key: o.appKey,
          app_secret: o.appSecretFromEnv ? (process.env.QUANYI_SUPPLIER_APP_SECRET ?? '') : o.appSecret,
          status: o.status,
          low_balance_threshold: threshold,
        });
        const s = await ctx.db.transaction().execute((tx) => updateSupplier(ctx, tx, ref, input, 'cli'));
        if (o.json) printJson(s);
        else process.stdout.write(`updated ${s.id} (${s.name})\n`);
      });
    });
  suppliers
    .command('list')
    .description('list suppliers')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('suppliers list', Boolean(o.json), async (ctx) => {
        const all: Supplier[] = [];
        let cursor: string | undefined;
        do {
          const page = await listSuppliers(ctx, ctx.db, { limit: 200, cursor });
          all.push(...page.data);
          cursor = page.next_cursor ?? undefined;
        } while (cursor);
        if (o.json) printJson(all);
        else for (const s of all) process.stdout.write(line(s) + '\n');
      });
    });
}
