import type { ModuleDefinition } from '../../platform/module.ts';
import { BULK_JOB } from '../../modules/bulk/index.ts';
import { registerBulk } from './bulk.cli.ts';
import { BULK_JOB_POLICY, runBulkJob } from './issue-run.ts';

// Bulk silent issuance across modules (bulk rows → grants / the direct-recharge issuer), declared like a
// module: the job that issues a run (bulk lane: a 100,000-row list never delays recharges or webhooks)
// and the `quanyi bulk issue` command.
export { issueRun, rowIdempotencyKey, BULK_JOB_POLICY } from './issue-run.ts';
export { onRowIssued, type RowIssued } from './notify-hook.ts';

export const bulkIssueFlow: ModuleDefinition = {
  name: 'bulk-issue',
  jobs: { [BULK_JOB]: { handler: runBulkJob, policy: BULK_JOB_POLICY } },
  cli: registerBulk,
};
