import type { ModuleDefinition } from '../../platform/module.ts';
import type { JobPolicy } from '../../platform/jobs/jobs.ts';
import { BILL_FETCH_JOB, PURCHASE_JOB } from '../../modules/procurement/index.ts';
import { fetchBill } from './bills.ts';
import { runPurchase } from './buy.ts';
import { registerProcurementCli } from './procurement.cli.ts';
import { procurementRoutes } from './procurement.routes.ts';
import { procurementWorkers } from './workers.ts';

// Procurement and reconciliation across modules (catalog, inventory, suppliers, recharges, audit), declared
// like a module: its routes, the purchase job (polls with checkAgain; `attempts` counts faults only), the
// daily bill fetch, the CLI and the background loops. The permissions are the procurement module's.
const PURCHASE_POLICY: JobPolicy = { attempts: 20, backoffSeconds: [2, 5, 10, 30, 60], lane: 'fast', retentionDays: 30, leaseSeconds: 30 };
const BILL_POLICY: JobPolicy = { attempts: 6, backoffSeconds: [60, 300, 900, 1800, 3600], lane: 'bulk', retentionDays: 30 };

export { requestPurchase, scanStock, purchaseByHand, runPurchase, queryPurchase } from './buy.ts';
export { importBill, fetchBill, reconciliationReport, reportCsv } from './bills.ts';
export { scanOnce, enqueueYesterdaysBills } from './workers.ts';

export const procurementFlows: ModuleDefinition = {
  name: 'procurement-flows',
  routes: procurementRoutes,
  jobs: {
    [PURCHASE_JOB]: { policy: PURCHASE_POLICY, handler: (run) => runPurchase(run.ctx, String((run.payload as { purchase_id?: unknown }).purchase_id ?? '')) },
    [BILL_FETCH_JOB]: {
      policy: BILL_POLICY,
      handler: async (run) => {
        const p = run.payload as { supplier_id: string; day: string };
        const b = await fetchBill(run.ctx, { supplier: p.supplier_id, day: p.day, actor: 'system' });
        return { bill_id: b.id, lines: b.lines };
      },
    },
  },
  cli: registerProcurementCli,
  workers: procurementWorkers,
};
