import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { verifyAudit } from './audit.service.ts';
import { EXIT, printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

export function registerAudit(program: Command, env: CommandEnv) {
  const audit = program.command('audit').description('the append-only audit log');
  audit
    .command('verify')
    .description('recompute the hash chain; exit 0 when intact, 7 naming the first broken event otherwise')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('audit verify', Boolean(o.json), async (ctx) => {
        // a long log takes a while: show progress on stderr (stdout stays clean for --json)
        const bar = o.json ? null : new cliProgress.SingleBar({ stream: process.stderr, format: 'verifying [{bar}] {value}/{total} events', hideCursor: true }, cliProgress.Presets.shades_classic);
        let started = false;
        const r = await verifyAudit(ctx.db, (checked, total) => {
          if (!bar) return;
          if (!started) bar.start(total, 0);
          started = true;
          bar.update(checked);
        });
        bar?.stop();
        if (o.json) printJson(r);
        else if (r.ok) process.stdout.write(`audit chain intact: ${r.events} events, head ${r.head_hash.slice(0, 16)}…\n`);
        else process.stderr.write(`audit chain BROKEN at event ${r.broken_seq}: ${r.reason} (${r.events_checked} events verified before it)\n`);
        return r.ok ? EXIT.ok : EXIT.integrity;
      });
    });
}
