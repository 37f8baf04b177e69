// The inventory module's public surface: other modules, flows and the CLI import from here.
export { importCodes, REJECTIONS_KEPT, type ImportOptions, type ImportResult, type Rejection } from './import.service.ts';
export { stockLevels, expireCodes, type StockRow } from './stock.service.ts';
export { listBatches, getBatch, voidBatch, type BatchView, type BatchDetail } from './batches.service.ts';
export { detectFormat, FORMATS, type ImportFormat } from './parsers/detect.ts';
