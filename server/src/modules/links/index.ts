import type { ModuleDefinition } from '../../platform/module.ts';
import { registerLinks } from './links.cli.ts';
import { linkRoutes } from './links.routes.ts';
import { LINK_ISSUE_JOB, LINK_ISSUE_POLICY, runIssueJob } from './links.service.ts';

// The links module's front door (issue 7 §2): link batches — N grants pre-issued without recipients and
// handed out as redeem links and QR codes (flyers, partners, print), exported on download, audited.
export { createBatch, LINK_ISSUE_JOB, type CreateBatchInput } from './links.service.ts';
export { linkExportStream, type LinkExportFormat } from './links.export.ts';
export { getBatch, type LinkBatchRow } from './links.repo.ts';
export { linkBatchMachine, type LinkBatchStatus } from './links.machine.ts';

export const linksModule: ModuleDefinition = {
  name: 'links',
  routes: linkRoutes,
  jobs: { [LINK_ISSUE_JOB]: { handler: runIssueJob, policy: LINK_ISSUE_POLICY } },
  permissions: {
    'links:read': ['admin', 'operator', 'support', 'auditor'],
    'links:create': ['admin', 'operator'],
    // the links are bearer secrets: only who may hand them out may take them
    'links:export': ['admin', 'operator'],
  },
  tags: [{ name: 'links', description: 'Link batches: pre-issued grants as redeem links and QR codes (admin)' }],
  cli: registerLinks,
};
