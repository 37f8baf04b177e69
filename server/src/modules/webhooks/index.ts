import type { ModuleDefinition } from '../../platform/module.ts';
import { deliveryJob } from './delivery.job.ts';
import { DELIVER_JOB } from './events.service.ts';
import { fanOutWorker, historyPruner } from './fanout.worker.ts';
import { webhookAdminRoutes } from './webhooks.admin.routes.ts';
import { webhookClientRoutes } from './webhooks.routes.ts';

// The webhooks module's front door (DESIGN §6): other modules and flows use only what is exported here.
export { recordEvent, fanOut, DELIVER_JOB, type RecordEventInput } from './events.service.ts';
export { createEndpoint, rewrapWebhookSecrets, type CreateEndpointInput } from './endpoints.service.ts';
export { assertDeliverableUrl } from './url-guard.ts';
export { isSubscribed, nobodyListensCte, nobodyListens } from './subscriptions.ts';
export { deliverOnce, DELIVERY_POLICY, nextRetryAt } from './delivery.job.ts';
export { startFanOut } from './fanout.worker.ts';
export { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhooks.schemas.ts';
export { webhookDeliveryMachine, webhookEndpointMachine } from './webhooks.machine.ts';
export { webhookEventsOf, type WebhookEventTrail } from './subject-events.ts';

export const webhooksModule: ModuleDefinition = {
  name: 'webhooks',
  async routes(app, deps) {
    await app.register(webhookClientRoutes, deps);
    await app.register(webhookAdminRoutes, deps);
  },
  jobs: { [DELIVER_JOB]: deliveryJob },
  permissions: {
    'webhooks:read': ['admin', 'operator', 'support'],
    'webhooks:write': ['admin', 'operator'],
  },
  scopes: ['webhooks:write', 'webhooks:read'],
  tags: [{ name: 'webhooks', description: 'Webhook endpoints, events and deliveries (signed client API)' }],
  workers: [fanOutWorker, historyPruner],
};
