import type { Command } from 'commander';
import { printJson } from '../platform/cli/output.ts';
import { validateInput } from '../platform/cli/validate.ts';
import type { CommandEnv } from '../platform/module.ts';
import { ProductCreate, ProductUpdate, parsePeriod } from '../modules/catalog/index.ts';
import { BundleCreate, ComponentsPut, createBundle, isPackKind, setComponents } from '../modules/bundles/index.ts';
import { validationFailed } from '../platform/errors.ts';
import { createProductWithSuppliers, parseSupplierSpec, updateProductWithSuppliers, type ProductWithSuppliers } from './product-suppliers.ts';

// `quanyi products create|update`: a product and (with --suppliers) its failover list of suppliers, in one
// transaction. They join the `products` group the catalog module registers (`products list`).

const int = (v: string | undefined) => (v === undefined ? undefined : /^-?\d+$/.test(v) ? Number(v) : NaN);
const list = (v: string | undefined) => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));
const ACCOUNT_TYPES_HELP = 'direct recharge: accounts the product takes, of mobile,qq,uid,email (default mobile,uid)';
const SUPPLIERS_HELP = 'NAME:SUPPLIER_PRODUCT_ID:COST_FEN,… in failover order (the first is tried first)';
const COMPONENTS_HELP = 'bundle / choice_pack: SKU1,SKU2,… the component products in order';
const PICK_HELP = 'choice_pack: how many components the recipient picks (k of n)';

function print(json: boolean, verb: string, r: ProductWithSuppliers) {
  if (json) printJson(r.suppliers ? { ...r.product, suppliers: r.suppliers } : r.product);
  else process.stdout.write(`${verb} ${r.product.id} (${r.product.sku})${r.suppliers ? ` with ${r.suppliers.length} supplier(s)` : ''}\n`);
}

export function registerProductCommands(program: Command, env: CommandEnv) {
  const products = program.commands.find((c) => c.name() === 'products') ?? program.command('products').description('the product catalog');
  products
    .command('create')
    .description('create a product (with --suppliers: and its supplier list)')
    .requiredOption('--sku <sku>', 'your SKU code')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--platform <platform>', 'iqiyi, tencent_video, youku, mango_tv, bilibili …')
    .option('--kind <kind>', 'card_code | direct_recharge | link | bundle | choice_pack', 'card_code')
    .option('--components <list>', COMPONENTS_HELP)
    .option('--pick <k>', PICK_HELP)
    .option('--period <unit:count>', 'e.g. month:1, quarter:1, year:1 (or none)')
    .option('--renewal', 'first period of an auto-renewing subscription')
    .option('--price <fen>', 'price in 分')
    .option('--cost <fen>', 'cost in 分')
    .option('--face-value <fen>', 'face value in 分')
    .option('--currency <code>', 'ISO currency', 'CNY')
    .option('--validity-days <days>', 'days a grant stays redeemable after issue')
    .option('--safety-stock <n>', 'warn when available stock falls below this')
    .option('--account-types <list>', ACCOUNT_TYPES_HELP)
    .option('--suppliers <list>', SUPPLIERS_HELP)
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('products create', Boolean(o.json), async (ctx) => {
        if (isPackKind(o.kind)) {
          if (o.suppliers !== undefined) throw validationFailed([{ field: 'suppliers', message: 'a bundle has no suppliers: its components have' }]);
          const bundle = validateInput(BundleCreate, {
            sku: o.sku, name: o.name, platform: o.platform, kind: o.kind, components: list(o.components), pick_count: int(o.pick),
            period: parsePeriod(o.period), renewal: Boolean(o.renewal), currency: o.currency, price: int(o.price), cost: int(o.cost),
            face_value: int(o.faceValue), validity_days: int(o.validityDays), safety_stock: int(o.safetyStock),
          });
          return print(Boolean(o.json), 'created', { product: (await createBundle(ctx.db, bundle, 'cli')).product });
        }
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
          account_types: list(o.accountTypes),
        });
        const suppliers = o.suppliers === undefined ? undefined : parseSupplierSpec(o.suppliers);
        print(Boolean(o.json), 'created', await ctx.db.transaction().execute((tx) => createProductWithSuppliers(tx, input, suppliers, 'cli')));
      });
    });
  products
    .command('update <product>')
    .description('change a product (by id or sku); only the given options change')
    .option('--name <name>', 'display name')
    .option('--platform <platform>', 'platform')
    .option('--period <unit:count>', 'e.g. month:1 (or none)')
    .option('--renewal <bool>', 'true | false')
    .option('--price <fen>', 'price in 分')
    .option('--cost <fen>', 'cost in 分')
    .option('--face-value <fen>', 'face value in 分')
    .option('--validity-days <days>', 'days a grant stays redeemable after issue')
    .option('--safety-stock <n>', 'warn when available stock falls below this')
    .option('--account-types <list>', ACCOUNT_TYPES_HELP)
    .option('--status <status>', 'active | inactive | archived')
    .option('--suppliers <list>', SUPPLIERS_HELP + '; replaces the list, "" clears it')
    .option('--components <list>', COMPONENTS_HELP + '; replaces the list')
    .option('--pick <k>', PICK_HELP)
    .option('--json', 'print JSON')
    .action(async (ref: string, o) => {
      await env.run('products update', Boolean(o.json), async (ctx) => {
        const renewal = o.renewal === undefined ? undefined : o.renewal === 'true' ? true : o.renewal === 'false' ? false : o.renewal;
        const input = validateInput(ProductUpdate, {
          name: o.name,
          platform: o.platform,
          period: parsePeriod(o.period),
          renewal,
          price: int(o.price),
          cost: int(o.cost),
          face_value: int(o.faceValue),
          validity_days: int(o.validityDays),
          safety_stock: int(o.safetyStock),
          account_types: list(o.accountTypes),
          status: o.status,
        });
        const suppliers = o.suppliers === undefined ? undefined : parseSupplierSpec(o.suppliers);
        const spec = o.components === undefined ? undefined : validateInput(ComponentsPut, { components: list(o.components), pick_count: int(o.pick) });
        print(Boolean(o.json), 'updated', await ctx.db.transaction().execute(async (tx) => {
          const r = await updateProductWithSuppliers(tx, ref, input, suppliers, 'cli');
          if (spec) await setComponents(tx, r.product.id, spec, 'cli');
          return r;
        }));
      });
    });
}
