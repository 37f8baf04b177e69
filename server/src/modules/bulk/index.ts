import type { ModuleDefinition } from '../../platform/module.ts';
import { bulkRoutes } from './bulk.routes.ts';

// The bulk module's front door (issue 7 §3, 批量静默发放): recipient lists read into runs and rows (its
// tables bulk_runs, bulk_rows), progress, pause / resume / cancel and the per-row report. The issuing
// itself is a flow (flows/bulk-issue), since it calls grants and the direct-recharge issuer; it reads and
// records rows through the functions below.
export { BULK_JOB, createRun, getRunView, listRunViews, changeRun, resolveClient, toRunView, type CreateRunInput } from './bulk.service.ts';
export { getRun, pendingRows, recordResults, moveRun, runStatus, type BulkRunRow, type BulkRowRow, type RowResult } from './bulk.repo.ts';
export { bulkRunMachine, bulkRowMachine, type BulkRunEvent, type BulkRowEvent } from './bulk.machine.ts';
export { rowPiiContext, type ListRow, type RecipientFields } from './bulk.intake.ts';
export { fileRows, listFormat, type ListFormat } from './bulk.list.ts';
export { writeReport } from './bulk.report.ts';
export { BulkRun } from './bulk.schemas.ts';

export const bulkModule: ModuleDefinition = {
  name: 'bulk',
  routes: bulkRoutes,
  scopes: ['bulk:write', 'bulk:read'],
  permissions: {
    'bulk:read': ['admin', 'operator', 'support'],
    // uploading a list, pausing / cancelling a run, and the report (it holds every issued row's redeem link)
    'bulk:write': ['admin', 'operator'],
  },
  tags: [{ name: 'bulk', description: 'Bulk silent issuance: a recipient list issued as a job (signed client API)' }],
};
