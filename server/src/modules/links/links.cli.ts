import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import type { CommandEnv } from '../../platform/module.ts';
import { appendAudit } from '../audit/index.ts';
import { linkExportStream, type LinkExportFormat } from './links.export.ts';
import { getBatch } from './links.repo.ts';
import { createBatch } from './links.service.ts';

// `quanyi links create` makes a batch whose job a running `quanyi serve` works (the direct-recharge issuer
// lives with the server's flows) and follows it with a progress bar; `quanyi links export` writes the links
// to a local file (mode 0600) straight from the database, audited like the console's download.
const bar = (json: boolean, what: string) =>
  json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: `${what} [{bar}] {value}/{total}`, hideCursor: true }, cliProgress.Presets.shades_classic);

export function registerLinks(program: Command, env: CommandEnv) {
  const cmd = program.command('links').description('link batches: pre-issued grants as redeem links and QR codes');
  cmd
    .command('create')
    .description('pre-issue N grants without recipients (a running server issues them) and wait until they are')
    .requiredOption('--client <id>', 'the client (cli_… or key id) the grants belong to')
    .requiredOption('--product <sku>', 'product sku or id')
    .requiredOption('--count <n>', 'how many links')
    .option('--label <text>', 'what they are for', 'cli')
    .option('--expires-at <iso>', 'expiry of the grants (default: the product validity)')
    .option('--no-wait', 'return once the batch is created')
    .option('--json', 'print the batch as JSON')
    .action(async (o) => {
      await env.run('links create', Boolean(o.json), async (ctx) => {
        const count = Number(o.count);
        if (!/^\d+$/.test(String(o.count))) throw validationFailed([{ field: 'count', message: 'must be a whole number' }]);
        let b = await createBatch(ctx, { client: String(o.client), product: String(o.product), count, label: String(o.label), ...(o.expiresAt ? { expires_at: String(o.expiresAt) } : {}) }, 'cli');
        const progress = bar(Boolean(o.json), `issuing ${b.id}`);
        progress?.start(b.count, 0);
        while (o.wait && b.status === 'issuing') {
          await new Promise((r) => setTimeout(r, 500));
          b = (await getBatch(ctx.db, b.id))!;
          progress?.update(b.issued);
        }
        progress?.stop();
        const out = { id: b.id, status: b.status, count: b.count, issued: b.issued, error: b.error };
        if (o.json) printJson(out);
        else process.stdout.write(`link batch ${b.id}: ${b.status}, ${b.issued}/${b.count} issued${b.error ? ` (${b.error})` : ''}\n`);
        return b.status === 'failed' ? EXIT.failure : EXIT.ok;
      });
    });

  cmd
    .command('export <batch>')
    .description('write the links to a file: csv / xlsx (index, grant id, redeem URL, expiry) or zip (QR PNGs); audited')
    .requiredOption('--format <format>', 'csv | xlsx | zip')
    .requiredOption('--out <file>', 'where to write it (created with mode 0600: the links are bearer secrets)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, o) => {
      await env.run('links export', Boolean(o.json), async (ctx) => {
        const format = String(o.format) as LinkExportFormat;
        if (!['csv', 'xlsx', 'zip'].includes(format)) throw validationFailed([{ field: 'format', message: 'must be csv, xlsx or zip' }]);
        const b = await getBatch(ctx.db, id);
        if (!b) throw notFound('Link batch', id);
        await ctx.db.transaction().execute((tx) =>
          appendAudit(tx, { actor: 'cli', action: 'link_batch.export', target: b.id, details: { format, links: b.issued, count: b.count, to: 'file' } }),
        );
        const progress = bar(Boolean(o.json), `exporting ${b.id}`);
        progress?.start(b.issued, 0);
        await pipeline(linkExportStream(ctx, b, format, (n) => progress?.update(n)), fs.createWriteStream(String(o.out), { mode: 0o600 }));
        progress?.stop();
        const size = fs.statSync(String(o.out)).size;
        if (o.json) printJson({ id: b.id, format, links: b.issued, size_bytes: size, file: String(o.out) });
        else process.stdout.write(`exported ${b.issued} links of ${b.id} to ${o.out} (${size} bytes)\n`);
        return EXIT.ok;
      });
    });
}
