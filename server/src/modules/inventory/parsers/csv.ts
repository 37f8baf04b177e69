import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { badRequest } from '../../../platform/errors.ts';
import type { RawRow } from './rows.ts';

// CSV via csv-parse's streaming parser: quoted fields, CRLF, a BOM, and rows of differing width. Line
// numbers come from the parser (a quoted field spanning lines reports the line the record ends on).
export async function* csvRows(input: Readable): AsyncGenerator<RawRow> {
  const parser = input.pipe(
    parse({
      bom: true,
      delimiter: [',', '\t'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      max_record_size: 64 * 1024,
    }),
  );
  input.on('error', (e) => parser.destroy(e));
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield { line: rec.info.lines, fields: rec.record };
    }
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    // the parser's own message may quote file content (a code): only its error code leaves here
    if (err.code?.startsWith('CSV_')) throw badRequest('invalid_file', `The CSV file cannot be read near line ${err.lines ?? '?'} (${err.code}).`);
    throw e;
  }
}
