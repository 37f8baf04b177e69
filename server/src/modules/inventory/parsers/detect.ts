import path from 'node:path';
import type { Readable } from 'node:stream';
import { badRequest } from '../../../platform/errors.ts';
import { csvRows } from './csv.ts';
import type { RawRow } from './rows.ts';
import { txtRows } from './txt.ts';
import { xlsxRows } from './xlsx.ts';

export const FORMATS = ['csv', 'txt', 'xlsx'] as const;
export type ImportFormat = (typeof FORMATS)[number];

/** The format named explicitly, else the file's extension; anything else is a clear 400. */
export function detectFormat(sourceName: string, explicit?: string | null): ImportFormat {
  const f = (explicit || path.extname(sourceName).slice(1)).toLowerCase();
  if (f === 'tsv') return 'csv';
  if ((FORMATS as readonly string[]).includes(f)) return f as ImportFormat;
  throw badRequest(
    'unsupported_format',
    explicit ? `Unknown format "${explicit}": use csv, txt or xlsx.` : `Cannot tell the format of "${sourceName}" from its extension: name it .csv, .txt or .xlsx, or pass the format.`,
  );
}

export function rowsOf(format: ImportFormat, input: Readable): AsyncGenerator<RawRow> {
  if (format === 'csv') return csvRows(input);
  if (format === 'txt') return txtRows(input);
  return xlsxRows(input);
}
