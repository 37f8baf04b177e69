import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { RawRow } from './rows.ts';

// Plain text, one code per line, with the separators suppliers actually use: `----`, tab, comma, or runs
// of spaces — chosen per line, in that order, so a file mixing them still reads.
export function splitTxtLine(line: string): string[] {
  if (line.includes('----')) return line.split('----');
  if (line.includes('\t')) return line.split('\t');
  if (line.includes(',')) return line.split(',');
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

export async function* txtRows(input: Readable): AsyncGenerator<RawRow> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    yield { line, fields: splitTxtLine(line === 1 ? text.replace(/^\uFEFF/, '') : text) };
  }
}
