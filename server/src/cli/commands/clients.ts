import type { Command } from 'commander';
import { listClients, parseScopes } from '../../modules/clients/clients.service.ts';
import { createClientWithWebhook, parseWebhookEvents } from '../../flows/create-client.ts';
import { validationFailed } from '../../platform/errors.ts';
import { printJson } from '../output.ts';
import type { CommandEnv } from '../main.ts';

export function registerClients(program: Command, env: CommandEnv) {
  const clients = program.command('clients').description('client systems that call the open API');
  clients
    .command('create')
    .description('create a client key; prints {key_id, secret} once (and the webhook secret, when --webhook-url is given)')
    .requiredOption('--name <name>', 'who the client is')
    .option('--scopes <list>', 'comma-separated: grants:write,grants:read,webhooks:write,webhooks:read', 'grants:write,grants:read')
    .option('--webhook-url <url>', 'register a webhook endpoint for this client')
    .option('--webhook-events <list>', 'comma-separated event types for the endpoint (default: all)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('clients create', Boolean(o.json), async (ctx) => {
        const scopes = parseScopes(o.scopes);
        const events = parseWebhookEvents(o.webhookEvents);
        if (o.webhookEvents && !o.webhookUrl) throw validationFailed([{ field: 'webhook_events', message: 'needs --webhook-url' }]);
        const { client: c, webhook } = await createClientWithWebhook(ctx, {
          name: o.name,
          scopes,
          actor: 'cli',
          webhook: o.webhookUrl ? { url: o.webhookUrl, events } : undefined,
        });
        if (o.json) {
          printJson({ id: c.id, key_id: c.key_id, secret: c.secret, name: c.name, scopes: c.scopes, ...(webhook ? { webhook: { id: webhook.id, url: webhook.url, secret: webhook.secret } } : {}) });
        } else {
          process.stdout.write(`client ${c.id}\n  key_id: ${c.key_id}\n  secret: ${c.secret}\n`);
          if (webhook) process.stdout.write(`webhook ${webhook.id}\n  url: ${webhook.url}\n  secret: ${webhook.secret}\n`);
          process.stdout.write(`(secrets are shown only now)\n`);
        }
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
