import type { Command } from 'commander';
import { createAdminUser } from './identity.service.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

export function registerAdmin(program: Command, env: CommandEnv) {
  const admin = program.command('admin').description('admin console users');
  admin
    .command('create')
    .description('create an admin console user')
    .requiredOption('--email <email>', 'login email')
    .option('--password <password>', 'at least 10 characters (or set QUANYI_ADMIN_PASSWORD)')
    .option('--role <role>', 'admin | operator | finance | auditor | support', 'admin')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('admin create', Boolean(o.json), async (ctx) => {
        const password = o.password ?? process.env.QUANYI_ADMIN_PASSWORD ?? '';
        const user = await createAdminUser(ctx.db, { email: o.email, password, role: o.role }, 'cli');
        if (o.json) printJson(user);
        else process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
      });
    });
}
