import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import { fail, validationFailed } from '../../platform/errors.ts';
import type { CommandEnv } from '../../platform/module.ts';
import { createRun, fileRows, getRunView, listFormat, resolveClient } from '../../modules/bulk/index.ts';
import { issueRun } from './issue-run.ts';

// `quanyi bulk issue`: the same run as a console upload (validated, stored, audited, its job queued), then
// issued by this process with a progress bar on stderr. A running server's job may work the same run side
// by side: each row is issued once whoever gets to it. Direct-recharge rows are left to the server (their
// recharges run in its fast lane).
export function registerBulk(program: Command, env: CommandEnv) {
  const cmd = program.command('bulk').description('bulk silent issuance (批量静默发放)');
  cmd
    .command('issue')
    .description('issue to every recipient of a CSV / XLSX list (columns: phone, email, external_id, account, product, out_order_no)')
    .requiredOption('--client <name>', 'the client the grants are issued for (name or id)')
    .option('--product <sku>', 'the product for rows that name none')
    .requiredOption('--file <path>', 'the list (.csv or .xlsx, first row names the columns)')
    .option('--notify <channel>', 'sms | email: a message to each recipient')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      await env.run('bulk issue', Boolean(o.json), async (ctx) => {
        const file = String(o.file);
        if (!fs.existsSync(file)) throw fail('file_not_found', `No file ${file}.`);
        const notify = o.notify ? String(o.notify) : null;
        if (notify && notify !== 'sms' && notify !== 'email') throw validationFailed([{ field: 'notify', message: 'must be sms or email' }]);
        const clientId = await resolveClient(ctx, String(o.client));
        const { run } = await createRun(
          ctx,
          { clientId, product: o.product ? String(o.product) : null, notify: notify as 'sms' | 'email' | null, source: 'upload', sourceName: path.basename(file), createdBy: 'cli' },
          fileRows(listFormat(file), fs.createReadStream(file)),
        );
        if (!o.json) process.stderr.write(`run ${run.id}: ${run.progress.valid} to issue, ${run.progress.rejected} rejected, ${run.progress.duplicates} duplicates\n`);
        const bar = o.json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: 'issuing [{bar}] {value}/{total} rows ({percentage}%)', hideCursor: true }, cliProgress.Presets.shades_classic);
        bar?.start(run.progress.valid, 0);
        await issueRun(ctx, run.id, (done, total) => bar?.update(done, { total }));
        bar?.stop();
        const view = await getRunView(ctx, run.id);
        if (o.json) printJson(view);
        else {
          const p = view.progress;
          process.stdout.write(`run ${view.id} ${view.status}: ${p.issued} issued, ${p.failed} failed, ${p.rejected} rejected, ${p.duplicates} duplicates${p.remaining ? `, ${p.remaining} left for the server` : ''}\n`);
          process.stdout.write(`report: quanyi serve → GET /v1/admin/bulk-issuances/${view.id}/report\n`);
        }
        return view.progress.failed || view.progress.rejected ? EXIT.conflict : EXIT.ok;
      });
    });
}
