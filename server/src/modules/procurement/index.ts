import type { ModuleDefinition } from '../../platform/module.ts';

// The procurement module's front door (issue 5 §2): buying codes (采货) — reorder settings, purchase orders
// and their exchanges with the supplier — and supplier bills with their reconciliation (对账). It owns the
// tables of migration 012. The work that spans modules (stock, suppliers, inventory, recharges) lives in
// src/flows/procurement, which also declares the routes, jobs, CLI and workers.
export { purchaseMachine, OPEN_PURCHASE_STATES, type PurchaseState, type PurchaseEvent } from './purchase.machine.ts';
export {
  upsertSetting,
  getSetting,
  enabledSettings,
  listSettings,
  insertPurchaseIfNoneOpen,
  openPurchaseOf,
  suppliersThatRefused,
  getPurchase,
  listPurchases,
  movePurchase,
  notePurchasePoll,
  logPurchaseEvent,
  purchaseEvents,
  purchasesForReconciliation,
  replaceBill,
  getBill,
  type PurchaseRow,
  type SettingRow,
  type BillRow,
  type BillLineRow,
} from './procurement.repo.ts';
export { reconcile, CATEGORIES, type Category, type OurRecord, type ReportLine, type ReconcileResult, type Totals } from './reconcile.ts';

export const PURCHASE_JOB = 'procurement.purchase';
export const BILL_FETCH_JOB = 'procurement.bill_fetch';

export const procurementModule: ModuleDefinition = {
  name: 'procurement',
  // finance reads purchases and runs reconciliation; only admins and operators buy or change reorder settings
  permissions: {
    'procurement:read': ['admin', 'operator', 'finance', 'auditor'],
    'procurement:write': ['admin', 'operator'],
    'reconciliation:read': ['admin', 'operator', 'finance', 'auditor'],
    'reconciliation:write': ['admin', 'finance'],
  },
  tags: [
    { name: 'procurement', description: 'Buying card codes from suppliers below safety stock (采货): reorder settings, purchase orders' },
    { name: 'reconciliation', description: 'Supplier bills and their reconciliation against recharges and purchases (对账)' },
  ],
};
