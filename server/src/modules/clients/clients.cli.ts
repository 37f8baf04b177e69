import type { Command } from 'commander';
import { listClients } from './clients.service.ts';
import { printJson } from '../../platform/cli/output.ts';
import type { CommandEnv } from '../../platform/module.ts';

export function registerClients(program: Command, env: CommandEnv) {
  const clients = program.command('clients').description('client systems that call the open API');
  // `clients create` is registered by flows/create-client.cli.ts: it can also register a webhook endpoint,
  // which spans the clients and webhooks modules.
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
