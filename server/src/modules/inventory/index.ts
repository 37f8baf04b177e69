import type { ModuleDefinition } from '../../platform/module.ts';
import { IMPORT_JOB, IMPORT_JOB_POLICY, runImportJob } from './import.job.ts';
import { registerCodes } from './inventory.cli.ts';
import { inventoryRoutes } from './inventory.routes.ts';

// The inventory's front door: encrypted card-code stock, batches, imports and the code lifecycle
// (code.machine.ts). Inventory owns the tables `batches` and `codes`; everyone else comes through here.
export { codeMachine, type CodeEvent } from './code.machine.ts';
export { releaseCode, releaseCodes, deliverCode, codeHint, expireCodes } from './codes.service.ts';
export { claimCode, productsInStock } from './claim.service.ts';
export { storePurchasedCodes, stockGeneratedCodes, type PurchasedCodes, type PurchaseResult } from './purchases.service.ts';
export { importCodes, REJECTIONS_KEPT, type ImportOptions, type ImportResult, type Rejection } from './import.service.ts';
export { IMPORT_JOB, IMPORT_JOB_POLICY, runImportJob } from './import.job.ts';
export { stockLevels, codeCounts, type StockRow } from './stock.service.ts';
export { listBatches, getBatch, voidBatch, rewrapBatchKeys, type BatchView, type BatchDetail } from './batches.service.ts';
export { detectFormat, FORMATS, type ImportFormat } from './parsers/detect.ts';
export { sealCode, openCode, protectCode, newBatchKey, unwrapBatchKey, rewrapBatchKey, hintOf, normaliseCode, type CodeSecret, type BatchKey } from './code-secret.ts';
export { parseExpiry, type RawRow } from './parsers/rows.ts';
// the streaming readers, for other lists uploaded as CSV / XLSX (bulk issuance's recipient lists)
export { csvRows } from './parsers/csv.ts';
export { xlsxRows } from './parsers/xlsx.ts';

export const inventoryModule: ModuleDefinition = {
  name: 'inventory',
  routes: inventoryRoutes,
  jobs: {
    // an import can take a minute: the bulk lane, so it never delays recharges and webhooks
    [IMPORT_JOB]: { handler: runImportJob, policy: IMPORT_JOB_POLICY },
  },
  permissions: {
    'stock:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'imports:write': ['admin', 'operator'],
    'batches:read': ['admin', 'operator', 'finance', 'auditor'],
    'batches:void': ['admin', 'operator'],
  },
  cli: registerCodes,
};
