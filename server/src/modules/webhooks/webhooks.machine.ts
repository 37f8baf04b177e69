import { defineMachine } from '../../platform/state-machine.ts';
import type { WebhookDeliveryStatus, WebhookEndpointStatus } from '../../platform/db/schema.ts';

// A delivery is one event sent to one endpoint (a re-send is a new delivery of the same event).
//   pending ──start──▶ delivering ──succeed──▶ succeeded
//                         │  ▲  ──fail──▶ retrying ──start──┘
//                         └──give_up──▶ dead          (the endpoint is disabled with an alert)
// `start` also applies to `delivering`: a worker that died mid-send leaves it there and the job is re-run.
// `cancel` ends a delivery whose endpoint was disabled or deleted before it got through.
export const DELIVERY_EVENTS = ['start', 'succeed', 'fail', 'give_up', 'cancel'] as const;
export type DeliveryEvent = (typeof DELIVERY_EVENTS)[number];

export const webhookDeliveryMachine = defineMachine<WebhookDeliveryStatus, DeliveryEvent>(
  'webhook_delivery',
  {
    pending: { start: 'delivering', cancel: 'cancelled' },
    delivering: { start: 'delivering', succeed: 'succeeded', fail: 'retrying', give_up: 'dead', cancel: 'cancelled' },
    retrying: { start: 'delivering', cancel: 'cancelled' },
    succeeded: {},
    dead: {},
    cancelled: {},
  },
  DELIVERY_EVENTS,
);

export const ENDPOINT_EVENTS = ['disable', 'enable', 'delete'] as const;
export type EndpointEvent = (typeof ENDPOINT_EVENTS)[number];

export const webhookEndpointMachine = defineMachine<WebhookEndpointStatus, EndpointEvent>(
  'webhook_endpoint',
  {
    active: { disable: 'disabled', delete: 'deleted' },
    disabled: { enable: 'active', delete: 'deleted' },
    deleted: {},
  },
  ENDPOINT_EVENTS,
);

/** The one endpoint state that receives events (what `enable` leads to); filters name it through this. */
export const LISTENING: WebhookEndpointStatus = webhookEndpointMachine.targetOf('enable');
