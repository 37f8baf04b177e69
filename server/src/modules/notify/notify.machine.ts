import { defineMachine } from '../../platform/state-machine.ts';
import type { NotifyMessageStatus } from '../../platform/db/schema.ts';

// A message: queued until its job sends it (sent), decides not to (skipped: unsubscribed, over the
// frequency cap, channel not configured for a marketing message), or gives up (failed: a permanent refusal
// or the last retry). A deferral (quiet hours) keeps it queued: the job runs again later.
export type MessageEvent = 'send' | 'skip' | 'fail';

export const messageMachine = defineMachine<NotifyMessageStatus, MessageEvent>(
  'notify-message',
  {
    queued: { send: 'sent', skip: 'skipped', fail: 'failed' },
    sent: {},
    skipped: {},
    failed: {},
  },
  ['send', 'skip', 'fail'],
);
