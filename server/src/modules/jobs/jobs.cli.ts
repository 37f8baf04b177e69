import type { Command } from 'commander';
import { printJson } from '../../platform/cli/output.ts';
import type { JobStatus } from '../../platform/db/schema.ts';
import type { CommandEnv } from '../../platform/module.ts';
import { listJobs, requeue } from './jobs.service.ts';

// `quanyi jobs list [--status dead]` and `quanyi jobs requeue ID`.
export function registerJobs(program: Command, env: CommandEnv) {
  const jobs = program.command('jobs').description('background jobs: list them, re-queue dead ones');
  jobs
    .command('list')
    .description('list jobs, newest first')
    .option('--status <status>', 'queued | running | succeeded | failed | dead')
    .option('--kind <kind>', 'only this kind')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { status?: JobStatus; kind?: string; limit: string; json?: boolean }) => {
      await env.run('jobs list', Boolean(o.json), async (ctx) => {
        const page = await listJobs(ctx.db, { status: o.status, kind: o.kind, limit: Math.min(200, Math.max(1, Number(o.limit) || 50)) });
        if (o.json) return printJson(page.data);
        for (const j of page.data) {
          process.stdout.write(`${j.id}  ${j.kind.padEnd(22)} ${j.status.padEnd(9)} attempts ${j.attempts}/${j.max_attempts}  ${j.last_error ?? j.note ?? ''}\n`);
        }
        if (page.data.length === 0) process.stdout.write('no jobs\n');
      });
    });
  jobs
    .command('requeue <id>')
    .description('put a dead or failed job back in the queue with fresh attempts')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      await env.run('jobs requeue', Boolean(o.json), async (ctx) => {
        const job = await requeue(ctx.db, id, 'cli');
        if (o.json) printJson(job);
        else process.stdout.write(`${job.id} is queued again\n`);
      });
    });
}
