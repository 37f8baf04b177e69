import type { ModuleDefinition } from '../../platform/module.ts';
import { myEntitlementsRoutes } from './me.routes.ts';

// 我的权益 (issue 7): a recipient proves a phone by SMS code and sees every entitlement sent to it and its
// in-app messages. Spans grants (by phone fingerprint) and notify (proof cookie, inbox), hence a flow.
export { myEntitlements, markMyMessagesRead, REMINDER_DAYS, type MyEntitlements, type MyGrant } from './me.service.ts';

export const myEntitlementsFlow: ModuleDefinition = {
  name: 'my-entitlements',
  routes: myEntitlementsRoutes,
  tags: [{ name: 'my-entitlements', description: '我的权益: the grants and messages of a phone verified by SMS code (public)' }],
};
