import { periodicWorker, type ModuleDefinition } from '../../platform/module.ts';
import { pruneNotify } from './notify.repo.ts';
import { notifyRoutes } from './notify.routes.ts';
import { runSendJob, SEND_JOB_POLICY } from './notify.job.ts';
import { SEND_JOB } from './notify.service.ts';
import { registerSmsSandboxCommand } from './sandbox/sms-gateway.cli.ts';

// The notify module's front door (issue 7 §4): SMS (Aliyun SendSms), email (SMTP) and in-app messages from
// templates, sent by durable jobs in their own lane with retries, caps, quiet hours and unsubscribes; and
// phone verification by SMS code. Reminders before expiry live in flows/notify-reminders.ts (they read grants).
export { enqueueNotification, categoryOf, quietUntil, type NotificationInput } from './notify.service.ts';
export { productNotifySettings } from './notify.settings.ts';
export { inboxFor, markInboxRead, type InboxMessage } from './notify.inbox.ts';
export { phoneProofFrom, requestPhoneCode, verifyPhoneCode, sealPhoneProof, PHONE_PROOF_COOKIE, type PhoneProof } from './phone-codes.ts';
export { startSmsGateway, type SmsGateway, type ReceivedSms, type SmsKnobs } from './sandbox/sms-gateway.ts';
export { resetSenders } from './notify.senders.ts';
export { NOTIFY_EVENTS, type NotifyEvent, type TemplateVars } from './notify.templates.ts';
export { SEND_JOB };

/** hourly: spent phone codes and past days' counters go */
const notifyPruner = periodicWorker('notify-pruner', 3_600_000, (ctx) => pruneNotify(ctx.db));

export const notifyModule: ModuleDefinition = {
  name: 'notify',
  routes: notifyRoutes,
  jobs: { [SEND_JOB]: { handler: runSendJob, policy: SEND_JOB_POLICY } },
  permissions: {
    'notify:read': ['admin', 'operator', 'support'],
    'notify:write': ['admin', 'operator'],
  },
  tags: [{ name: 'notify', description: 'Phone verification codes and unsubscribe (public)' }],
  cli: (program) => registerSmsSandboxCommand(program),
  workers: [notifyPruner],
};
