import type { ModuleDefinition } from '../../platform/module.ts';
import { rechargeAdminRoutes } from './recharges.routes.ts';

// The recharges module's front door (DESIGN §11): recharge orders, their attempts and event log, and the
// state machines that move them. The flows in src/flows/recharge orchestrate suppliers, grants and webhooks
// around these functions.
export { attemptMachine, orderMachine, LIVE_ATTEMPT_STATES, type AttemptState, type AttemptEvent, type OrderStatus, type OrderEvent } from './recharge.machine.ts';
export {
  getOrder,
  getOrderByGrant,
  getAttempt,
  attemptByCustomerOrderNo,
  attemptWithClient,
  attemptsOf,
  moveAttempt,
  moveAttemptWithAccount,
  moveAttemptsWithAccount,
  moveAttemptsWithAccountSql,
  moveAttemptLoggedCtes,
  attemptNowOut,
  moveOrder,
  notePoll,
  logEvent,
  eventsOf,
  triedSuppliers,
  type AttemptRow,
  type OrderRow,
  type AttemptPatch,
  type EventInput,
} from './recharges.repo.ts';
export { RechargeOrderDetail } from './recharges.schemas.ts';
export { newOrderCtes, attemptsSucceededCtes, attemptsAcceptedCtes, callbackTargetsCte, type NewOrderCteInput } from './recharges.ctes.ts';
export {
  createRechargeOrder,
  addAttemptWithJob,
  enqueueConfirm,
  checkAccount,
  accountCandidates,
  type AccountType,
  maskAccount,
  openAccount,
  RECHARGE_ATTEMPT_JOB,
  RECHARGE_CONFIRM_JOB,
  type SupplierChoice,
  type CreateRechargeOrderInput,
} from './recharges.service.ts';
export { attemptsForReconciliation, type ReconcilableAttempt } from './recharges.reconcile.ts';
export { rechargeView, listRechargeOrders, type RechargeOrderView } from './recharges.views.ts';

export const rechargesModule: ModuleDefinition = {
  name: 'recharges',
  routes: rechargeAdminRoutes,
  permissions: {
    'recharges:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'recharges:write': ['admin', 'operator'],
  },
  tags: [{ name: 'recharges', description: 'Direct recharge orders, their attempts at suppliers, callbacks and queries (admin)' }],
};
