import type { Command } from 'commander';
import { createAdminUser } from './identity.service.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';
import type { Role } from '../../platform/db/schema.ts';
import { resetTotp } from './totp.service.ts';
import { listAdminUsers, resetAdminPassword, updateAdminUser, type AdminUserChange, type AdminUserView } from './users.service.ts';

// `quanyi admin create` and `quanyi users …`: the same rules as the admin users page (audited as `cli`; the
// last active admin cannot be disabled or demoted from here either).

const passwordOf = (o: { password?: string }) => o.password ?? process.env.QUANYI_ADMIN_PASSWORD ?? '';
const line = (u: AdminUserView) =>
  `${u.id}  ${u.email}  ${u.role}  ${u.status}${u.totp_enabled ? '  totp' : ''}  last login ${u.last_login_at?.toISOString() ?? 'never'}\n`;

export function registerIdentityCli(program: Command, env: CommandEnv) {
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
        const user = await createAdminUser(ctx.db, { email: o.email, password: passwordOf(o), role: o.role }, 'cli');
        if (o.json) printJson(user);
        else process.stdout.write(`created ${user.role} ${user.email} (${user.id})\n`);
      });
    });

  const users = program.command('users').description('admin console users: list, disable, roles, passwords');
  users
    .command('list')
    .description('list admin users, newest first')
    .option('--role <role>', 'only this role')
    .option('--status <status>', 'active | disabled')
    .option('--email <text>', 'any part of the email')
    .option('--limit <n>', 'at most this many', (v) => Number(v), 200)
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('users list', Boolean(o.json), async (ctx) => {
        const page = await listAdminUsers(ctx.db, { limit: o.limit, role: o.role as Role | undefined, status: o.status, email: o.email });
        if (o.json) printJson(page.data);
        else for (const u of page.data) process.stdout.write(line(u));
      });
    });

  // commander passes the arguments, then the options, then the command itself
  const change = (name: string, description: string, args: string, toChange: (value: string | undefined) => AdminUserChange) =>
    users
      .command(`${name} ${args}`)
      .description(description)
      .option('--json', 'print JSON')
      .action(async (...argv: unknown[]) => {
        const [id, value] = argv.filter((a): a is string => typeof a === 'string');
        const json = Boolean((argv[argv.length - 1] as Command).opts().json);
        await env.run(`users ${name}`, json, async (ctx) => {
          const u = await updateAdminUser(ctx, id, toChange(value), 'cli');
          if (json) printJson(u);
          else process.stdout.write(line(u));
        });
      });
  change('disable', 'disable a user: their sessions end and they cannot sign in', '<id>', () => ({ status: 'disabled' }));
  change('enable', 'enable a disabled user again', '<id>', () => ({ status: 'active' }));
  change('set-role', 'change a user\'s role (admin | operator | finance | auditor | support)', '<id> <role>', (role) => ({ role }));

  users
    .command('reset-password <id>')
    .description('set a new password (or QUANYI_ADMIN_PASSWORD) and end the user\'s sessions')
    .option('--password <password>', 'at least 10 characters (or set QUANYI_ADMIN_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      await env.run('users reset-password', Boolean(o.json), async (ctx) => {
        const u = await resetAdminPassword(ctx, id, passwordOf(o), 'cli');
        if (o.json) printJson(u);
        else process.stdout.write(`password reset, sessions ended: ${u.email}\n`);
      });
    });

  users
    .command('totp-reset <id>')
    .description('clear a user\'s TOTP (a lost phone)')
    .option('--json', 'print JSON')
    .action(async (id: string, o) => {
      await env.run('users totp-reset', Boolean(o.json), async (ctx) => {
        const r = await resetTotp(ctx.db, id, 'cli');
        if (o.json) printJson({ id, ...r });
        else process.stdout.write(`TOTP cleared for ${id}\n`);
      });
    });
}
