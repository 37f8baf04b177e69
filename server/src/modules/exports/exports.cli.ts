import fs from 'node:fs';
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import { validationFailed } from '../../platform/errors.ts';
import { validateInput } from '../../platform/cli/validate.ts';
import { FormatRegistry } from '@sinclair/typebox';
import type { CommandEnv } from '../../platform/module.ts';
import { appendAudit } from '../audit/index.ts';
import { buildExport } from './exports.job.ts';
import type { ExportFormat, ExportKind } from './exports.repo.ts';
import { EXPORT_KINDS, EXPORT_SOURCES, shownFilter } from './exports.sources.ts';
import type { Sink } from './exports.writer.ts';

// `quanyi exports create`: the same rows and file as the console's export, written straight to a local file
// by this process (no job, nothing stored in the database), with a progress bar on stderr. Audited.
// The HTTP API checks formats with ajv; TypeBox, which checks CLI input against the same schemas, knows none
// until told: the filters' created_from / created_to are date-times.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(v) && !Number.isNaN(Date.parse(v)));
}

export function registerExports(program: Command, env: CommandEnv) {
  const cmd = program.command('exports').description('CSV / XLSX exports of grants, recharge orders and audit events');
  cmd
    .command('create')
    .description('write an export to a file (phones and accounts masked; never a code or token)')
    .requiredOption('--kind <kind>', EXPORT_KINDS.join(' | '))
    .requiredOption('--format <format>', 'csv | xlsx')
    .requiredOption('--out <file>', 'where to write it')
    .option('--filter <json>', 'the filter as JSON, e.g. {"status":"redeemed","created_from":"2026-01-01T00:00:00Z"}', '{}')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      await env.run('exports create', Boolean(o.json), async (ctx) => {
        const kind = String(o.kind) as ExportKind;
        const format = String(o.format) as ExportFormat;
        if (!EXPORT_KINDS.includes(kind)) throw validationFailed([{ field: 'kind', message: `must be one of ${EXPORT_KINDS.join(', ')}` }]);
        if (format !== 'csv' && format !== 'xlsx') throw validationFailed([{ field: 'format', message: 'must be csv or xlsx' }]);
        let raw: unknown;
        try {
          raw = JSON.parse(String(o.filter));
        } catch {
          throw validationFailed([{ field: 'filter', message: 'must be a JSON object' }]);
        }
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validationFailed([{ field: 'filter', message: 'must be a JSON object' }]);
        const filter = EXPORT_SOURCES[kind].prepare(ctx, validateInput(EXPORT_SOURCES[kind].filter, raw as Record<string, unknown>) as Record<string, unknown>);
        const bar = o.json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: `exporting ${kind} {value} rows`, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar?.start(0, 0);
        const file = fs.createWriteStream(String(o.out), { mode: 0o600 });
        const sink = Object.assign(file as unknown as Writable, {
          settled: () => (file.writableNeedDrain ? new Promise<void>((r) => file.once('drain', () => r())) : Promise.resolve()),
        }) as Sink;
        const rows = await buildExport(ctx, kind, format, filter, sink, (n) => bar?.update(n));
        bar?.stop();
        const size = fs.statSync(String(o.out)).size;
        await ctx.db.transaction().execute((tx) =>
          appendAudit(tx, { actor: 'cli', action: 'export.create', target: null, details: { kind, format, filter: shownFilter(filter), rows, size_bytes: size, to: 'file' } }),
        );
        if (o.json) printJson({ kind, format, rows, size_bytes: size, file: String(o.out) });
        else process.stdout.write(`exported ${rows} ${kind} rows to ${o.out} (${size} bytes)\n`);
        return EXIT.ok;
      });
    });
}
