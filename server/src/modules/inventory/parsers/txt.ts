import type { Readable } from 'node:stream';
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

/** A line longer than this (bytes) is no card code: it is reported as too long, and never held in memory. */
export const MAX_LINE_BYTES = 4096;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Lines of a byte stream (LF, CRLF or CR), with memory bounded by MAX_LINE_BYTES whatever the input: a longer
 * line is skipped to its end and yielded as `null` (readline would build it as one string — a 512 MB line
 * is a RangeError that kills the process).
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, max = MAX_LINE_BYTES): AsyncGenerator<string | null> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let afterCR = false;
  const end = (): string | null => {
    const line = tooLong ? null : Buffer.concat(parts, size).toString('utf8');
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  const take = (piece: Buffer) => {
    if (tooLong) return;
    if (size + piece.length > max) {
      tooLong = true;
      parts = [];
      size = 0;
    } else if (piece.length) {
      parts.push(Buffer.from(piece)); // a copy: the stream may reuse its buffer
      size += piece.length;
    }
  };
  for await (const c of input) {
    const chunk = typeof c === 'string' ? Buffer.from(c) : c;
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== LF && b !== CR) continue;
      if (b === LF && afterCR && i === start) {
        // the LF of a CRLF whose CR ended the previous line
        afterCR = false;
        start = i + 1;
        continue;
      }
      take(chunk.subarray(start, i));
      yield end();
      afterCR = b === CR;
      start = i + 1;
    }
    if (start < chunk.length) {
      afterCR = false;
      take(chunk.subarray(start));
    }
  }
  if (size > 0 || tooLong) yield end();
}

export async function* txtRows(input: Readable): AsyncGenerator<RawRow> {
  let line = 0;
  for await (const text of boundedLines(input)) {
    line++;
    if (text === null) {
      yield { line, fields: [], error: `row too long (more than ${MAX_LINE_BYTES} bytes)` };
      continue;
    }
    const t = line === 1 ? text.replace(/^\uFEFF/, '') : text;
    // an explicit separator fixes the row's shape: `CODE----` is a card number with an empty password,
    // not a single code
    yield { line, fields: splitTxtLine(t), separated: /----|\t|,/.test(t) };
  }
}
