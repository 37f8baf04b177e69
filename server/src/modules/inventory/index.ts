import type { ModuleDefinition } from '../../platform/module.ts';
import { IMPORT_JOB, runImportJob } from './import.job.ts';
import { registerCodes } from './inventory.cli.ts';
import { inventoryRoutes } from './inventory.routes.ts';

// The inventory's front door: encrypted card-code stock, batches and imports.
export * from './inventory.service.ts';
export { sealCode, openCode, protectCode, newBatchKey, unwrapBatchKey, rewrapBatchKey, hintOf, normaliseCode, type CodeSecret, type BatchKey } from './code-secret.ts';
export { parseExpiry } from './parsers/rows.ts';

export const inventoryModule: ModuleDefinition = {
  name: 'inventory',
  routes: inventoryRoutes,
  jobs: {
    // an import can take a minute: the bulk lane, so it never delays recharges and webhooks
    [IMPORT_JOB]: { handler: runImportJob, policy: { attempts: 3, backoffSeconds: [10, 60], lane: 'bulk', retentionDays: 30, leaseSeconds: 60 } },
  },
  permissions: {
    'stock:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'imports:write': ['admin', 'operator'],
    'batches:read': ['admin', 'operator', 'finance', 'auditor'],
    'batches:void': ['admin', 'operator'],
  },
  cli: registerCodes,
};
