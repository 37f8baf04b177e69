import type { AppContext } from '../platform/context.ts';
import { validationFailed } from '../platform/errors.ts';
import { createClient, type ClientScope } from '../modules/clients/index.ts';
import { assertDeliverableUrl, createEndpoint, WEBHOOK_EVENT_TYPES } from '../modules/webhooks/index.ts';

// Creating a client system, optionally with its first webhook endpoint, in one transaction: either both
// exist afterwards or neither. Both secrets are returned here, once.
export interface CreateClientInput {
  name: string;
  scopes: ClientScope[];
  actor: string;
  webhook?: { url: string; events?: string[] };
}

export function parseWebhookEvents(input: string | undefined): string[] {
  const list = (input ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((e) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e));
  if (bad.length) throw validationFailed([{ field: 'webhook_events', message: `unknown: ${bad.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}` }]);
  return [...new Set(list)];
}

export async function createClientWithWebhook(ctx: AppContext, input: CreateClientInput) {
  // DNS and the address check happen before the transaction opens
  const url = input.webhook ? (await assertDeliverableUrl(input.webhook.url, ctx.config.allowPrivateWebhooks)).toString() : null;
  return ctx.db.transaction().execute(async (tx) => {
    // the clients service audits the creation itself
    const client = await createClient(tx, ctx.keyring, { name: input.name, scopes: input.scopes }, input.actor);
    const webhook = url
      ? await createEndpoint(tx, ctx.keyring, { clientId: client.id, url, events: input.webhook!.events, actor: input.actor })
      : null;
    return { client, webhook: webhook ? { id: webhook.endpoint.id, url: webhook.endpoint.url, events: webhook.endpoint.events, secret: webhook.secret } : null };
  });
}
