// The inventory module's front door: other modules, flows, the CLI and tests import from here only.
// Inventory owns the tables `batches` and `codes` and the code lifecycle (code.machine.ts).
export { codeMachine, type CodeEvent } from './code.machine.ts';
export { releaseCode, releaseCodes, deliverCode, codeHint, expireCodes } from './codes.service.ts';
export { storePurchasedCodes, stockGeneratedCodes, type PurchasedCodes, type PurchaseResult } from './purchases.service.ts';
export { importCodes, REJECTIONS_KEPT, type ImportOptions, type ImportResult, type Rejection } from './import.service.ts';
export { IMPORT_JOB, IMPORT_JOB_POLICY, runImportJob } from './import.job.ts';
export { stockLevels, codeCounts, type StockRow } from './stock.service.ts';
export { listBatches, getBatch, voidBatch, rewrapBatchKeys, type BatchView, type BatchDetail } from './batches.service.ts';
export { detectFormat, FORMATS, type ImportFormat } from './parsers/detect.ts';
export { parseExpiry } from './parsers/rows.ts';
export { inventoryRoutes } from './inventory.routes.ts';
export type { CodeSecret } from './code-secret.ts';
