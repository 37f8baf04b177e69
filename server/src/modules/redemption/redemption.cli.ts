import fs from 'node:fs';
import type { Command } from 'commander';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';
import type { JobRun } from '../../platform/jobs/jobs.ts';
import { codeListFile, downloadGeneration, runGenerateJob } from './redemption.generate.ts';
import { listSets } from './redemption.repo.ts';
import { setView, startGeneration } from './redemption.service.ts';

// `quanyi redemption generate | list`. The CLI generates in this process (the same job handler, run inline)
// and takes the one-time list at once: written to --out (mode 0600) or, with --json and no --out, printed.
export function registerRedemption(program: Command, env: CommandEnv) {
  const cmd = program.command('redemption').description('redemption codes (兑换码): sets and generation');
  cmd
    .command('generate')
    .description('generate codes for a set and take the one-time plaintext list (audited)')
    .requiredOption('--set <id>', 'the set (rcs_…)')
    .requiredOption('--count <n>', 'how many codes')
    .option('--length <n>', 'random characters per code (8–24)', '12')
    .option('--prefix <prefix>', 'a prefix from the code alphabet', '')
    .option('--out <file>', 'write the list (CSV) to this file')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      await env.run('redemption generate', Boolean(o.json), async (ctx) => {
        const g = await startGeneration(ctx, String(o.set), { count: Number(o.count), length: Number(o.length), prefix: String(o.prefix) }, 'cli', { inline: true });
        const run = { id: g.job_id, kind: 'redemption.generate', payload: { generation_id: g.id }, attempt: 1, lastAttempt: true, ctx, progress: () => {}, endSteps: () => [] } as unknown as JobRun;
        await runGenerateJob(run);
        const { codes } = await downloadGeneration(ctx, g.id, 'cli');
        if (o.out) fs.writeFileSync(String(o.out), await codeListFile('csv', codes), { mode: 0o600 });
        if (o.json) printJson({ generation_id: g.id, set_id: g.set_id, count: codes.length, ...(o.out ? { file: String(o.out) } : { codes }) });
        else process.stdout.write(o.out ? `generated ${codes.length} codes into ${o.out}\n` : codes.join('\n') + '\n');
        return EXIT.ok;
      });
    });
  cmd
    .command('list')
    .description('list redemption code sets')
    .option('--json', 'print as JSON')
    .action(async (o) => {
      await env.run('redemption list', Boolean(o.json), async (ctx) => {
        const sets = (await listSets(ctx.db, { limit: 200 })).map(setView);
        if (o.json) printJson({ data: sets });
        else for (const s of sets) process.stdout.write(`${s.id}  ${s.status.padEnd(7)}  ${String(s.code_count).padStart(7)} codes  ${s.name}\n`);
        return EXIT.ok;
      });
    });
}
