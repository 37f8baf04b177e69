import type { Command } from 'commander';
import { appendAudit } from '../audit/index.ts';
import { createClient, listClients, parseScopes } from './clients.service.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

export function registerClients(program: Command, env: CommandEnv) {
  const clients = program.command('clients').description('client systems that call the open API');
  clients
    .command('create')
    .description('create a client key; prints {key_id, secret} once')
    .requiredOption('--name <name>', 'who the client is')
    .option('--scopes <list>', 'comma-separated: grants:write,grants:read', 'grants:write,grants:read')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('clients create', Boolean(o.json), async (ctx) => {
        const scopes = parseScopes(o.scopes);
        const c = await ctx.db.transaction().execute(async (tx) => {
          const created = await createClient(tx, ctx.keyring, { name: o.name, scopes });
          await appendAudit(tx, { actor: 'cli', action: 'client.create', target: created.id, details: { key_id: created.key_id, name: created.name, scopes } });
          return created;
        });
        if (o.json) printJson({ id: c.id, key_id: c.key_id, secret: c.secret, name: c.name, scopes: c.scopes });
        else process.stdout.write(`client ${c.id}\n  key_id: ${c.key_id}\n  secret: ${c.secret}\n(the secret is shown only now)\n`);
      });
    });
  clients
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('clients list', Boolean(o.json), async (ctx) => {
        const all = await listClients(ctx.db);
        if (o.json) return printJson(all);
        for (const c of all) process.stdout.write(`${c.id}  ${c.key_id}  ${c.status.padEnd(8)} ${c.scopes.join(',')}  ${c.name}\n`);
      });
    });
}
