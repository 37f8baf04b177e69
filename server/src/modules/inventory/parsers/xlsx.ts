import type { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { badRequest } from '../../../platform/errors.ts';
import type { RawRow } from './rows.ts';

// XLSX through exceljs's streaming WorkbookReader: rows are emitted as the zip is read, so a large sheet is
// never held whole. Only the first worksheet is imported; row numbers are the sheet's own.
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text; // hyperlink cell
    if ('hyperlink' in value) return String(value.hyperlink);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue); // formula: its cached value
    if ('error' in value) return '';
    return '';
  }
  return String(value);
}

export async function* xlsxRows(input: Readable): AsyncGenerator<RawRow> {
  // loaded on first use: exceljs costs ~30 MB of memory that CSV and TXT imports do not need
  const { default: Excel } = await import('exceljs');
  const reader = new Excel.stream.xlsx.WorkbookReader(input, {
    entries: 'emit',
    sharedStrings: 'cache',
    worksheets: 'emit',
    hyperlinks: 'ignore',
    styles: 'cache', // needed to tell a date cell from a number
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as ExcelJS.CellValue[]; // 1-based: index 0 is empty
        const fields: string[] = [];
        for (let i = 1; i < values.length; i++) fields.push(cellText(values[i]));
        yield { line: row.number, fields };
      }
      break; // the first worksheet only
    }
  } catch (e) {
    const msg = (e as Error).message ?? '';
    if (/zip|signature|end of central directory|invalid/i.test(msg)) throw badRequest('invalid_file', 'The file is not a readable XLSX workbook.');
    throw e;
  }
}
