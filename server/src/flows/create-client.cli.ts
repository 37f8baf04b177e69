import type { Command } from 'commander';
import { parseScopes } from '../modules/clients/index.ts';
import { printJson } from '../platform/cli/output.ts';
import { validationFailed } from '../platform/errors.ts';
import type { CommandEnv } from '../platform/module.ts';
import { createClientWithWebhook, parseWebhookEvents } from './create-client.ts';

// `quanyi clients create`: lives with the flow because it may also register a webhook endpoint (two modules).
// Added to the `clients` command of the clients module (flows come last in the module list).
export function registerClientCreate(program: Command, env: CommandEnv) {
  const clients = program.commands.find((c) => c.name() === 'clients') ?? program.command('clients').description('client systems that call the open API');
  clients
    .command('create')
    .description('create a client key; prints {key_id, secret} once (and the webhook secret, with --webhook-url)')
    .requiredOption('--name <name>', 'who the client is')
    .option('--scopes <list>', 'comma-separated: grants:write,grants:read,webhooks:write,webhooks:read', 'grants:write,grants:read')
    .option('--webhook-url <url>', 'register a webhook endpoint for this client')
    .option('--webhook-events <list>', 'comma-separated event types for the endpoint (default: all)')
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('clients create', Boolean(o.json), async (ctx) => {
        const scopes = parseScopes(o.scopes);
        if (o.webhookEvents && !o.webhookUrl) throw validationFailed([{ field: 'webhook_events', message: 'needs --webhook-url' }]);
        const events = parseWebhookEvents(o.webhookEvents);
        const { client: c, webhook } = await createClientWithWebhook(ctx, {
          name: o.name,
          scopes,
          actor: 'cli',
          webhook: o.webhookUrl ? { url: o.webhookUrl, events } : undefined,
        });
        const hook = webhook ? { id: webhook.id, url: webhook.url, secret: webhook.secret } : undefined;
        if (o.json) return printJson({ id: c.id, key_id: c.key_id, secret: c.secret, name: c.name, scopes: c.scopes, ...(hook ? { webhook: hook } : {}) });
        process.stdout.write(`client ${c.id}\n  key_id: ${c.key_id}\n  secret: ${c.secret}\n`);
        if (hook) process.stdout.write(`webhook: {id: ${hook.id}, url: ${hook.url}, secret: ${hook.secret}}\n`);
        process.stdout.write('(secrets are shown only now)\n');
      });
    });
}
