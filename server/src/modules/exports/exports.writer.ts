import { Writable } from 'node:stream';
import type { Cell, ExportRecord } from './exports.sources.ts';
import type { ExportFormat } from './exports.repo.ts';

// Writes rows, page by page, as CSV or XLSX into a sink. Constant memory: a page of rows at a time, and the
// XLSX through exceljs's streaming WorkbookWriter (rows are committed into the zip as they come, no shared
// strings table); the caller waits for the sink between pages, so a slow sink slows the reading instead of
// filling memory.

/** CSV opens in Excel as UTF-8 (Chinese names) only with a byte-order mark. */
const BOM = '\uFEFF';

// A cell starting with one of these is a formula to a spreadsheet (CSV injection): prefixed with ' it stays text.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(v: Cell): string {
  if (v === null) return '';
  if (typeof v !== 'string') return String(v);
  const s = FORMULA_START.test(v) ? "'" + v : v;
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export interface Sink extends Writable {
  /** resolves once everything written so far is stored */
  settled(): Promise<void>;
}

export async function writeRows(format: ExportFormat, columns: readonly string[], pages: AsyncIterable<ExportRecord[]>, sink: Sink): Promise<void> {
  if (format === 'csv') {
    sink.write(BOM + columns.join(',') + '\r\n');
    for await (const rows of pages) {
      sink.write(rows.map((r) => columns.map((c) => csvCell(r[c] ?? null)).join(',')).join('\r\n') + '\r\n');
      await sink.settled();
    }
    await new Promise<void>((resolve, reject) => sink.end((e?: Error | null) => (e ? reject(e) : resolve())));
    return;
  }
  // loaded on first use: exceljs costs ~30 MB of memory that CSV exports do not need
  const { default: Excel } = await import('exceljs');
  const done = new Promise<void>((resolve, reject) => {
    sink.on('finish', resolve);
    sink.on('error', reject);
  });
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet('export');
  ws.addRow([...columns]).commit();
  for await (const rows of pages) {
    for (const r of rows) ws.addRow(columns.map((c) => r[c] ?? null)).commit();
    await sink.settled();
  }
  ws.commit();
  await wb.commit();
  await done;
}

/**
 * A sink that stores what it receives in chunks of about `chunkBytes` through `store` (one database row
 * each), one at a time; `size` is the bytes stored.
 */
export function chunkSink(store: (seq: number, data: Buffer) => Promise<void>, chunkBytes = 1 << 20): Sink & { readonly size: number } {
  let parts: Buffer[] = [];
  let buffered = 0;
  let seq = 0;
  let size = 0;
  let inflight: Promise<void> = Promise.resolve();
  const flush = () => {
    const data = Buffer.concat(parts);
    parts = [];
    buffered = 0;
    size += data.length;
    inflight = store(seq++, data);
    return inflight;
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      buffered += chunk.length;
      if (buffered < chunkBytes) return cb();
      flush().then(() => cb(), cb);
    },
    final(cb) {
      if (!buffered) return cb();
      flush().then(() => cb(), cb);
    },
  }) as Sink & { size: number };
  sink.settled = async () => {
    // the chunk being stored, then anything that queued behind it
    for (;;) {
      await inflight;
      if (sink.writableLength === 0) return;
      await new Promise((r) => setImmediate(r));
    }
  };
  Object.defineProperty(sink, 'size', { get: () => size });
  return sink;
}
