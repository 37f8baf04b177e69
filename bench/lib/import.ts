import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { childEnv, QUANYI_BIN, runMeasured } from './proc.ts';

// The import benchmark: a supplier-style file of `rows` card codes, streamed to disk, then imported by the
// real CLI (`quanyi codes import`) in a child process whose wall time and peak RSS are measured.

/** Writes `rows` unique card_number,password lines (plus a header for CSV) without holding them in memory. */
export async function writeCodesFile(dir: string, rows: number, format: 'csv' | 'txt'): Promise<{ file: string; bytes: number }> {
  const file = path.join(dir, `codes-${rows}.${format}`);
  const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
  const run = randomBytes(3).toString('hex').toUpperCase();
  const sep = format === 'csv' ? ',' : '----';
  if (format === 'csv') out.write('card_number,password\n');
  const perWrite = 10_000;
  for (let i = 0; i < rows; i += perWrite) {
    let s = '';
    const pw = randomBytes(5 * perWrite).toString('hex').toUpperCase();
    for (let j = i; j < Math.min(rows, i + perWrite); j++) {
      const k = j - i;
      s += `BN${run}${String(j).padStart(10, '0')}${sep}${pw.slice(k * 10, k * 10 + 10)}\n`;
    }
    if (!out.write(s)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { file, bytes: fs.statSync(file).size };
}

export interface ImportRun {
  ok: boolean;
  seconds: number;
  peakMb: number;
  peakSource: string;
  imported: number | null;
  rejected: number | null;
  rowsPerSecond: number | null;
  detail?: string;
}

export async function importWithCli(env: Record<string, string>, sku: string, file: string, timeoutMs: number): Promise<ImportRun> {
  const r = await runMeasured(
    process.execPath,
    [QUANYI_BIN, 'codes', 'import', '--product', sku, '--file', file, '--json'],
    childEnv({ ...env, LOG_LEVEL: 'warn' }),
    timeoutMs,
  );
  let parsed: { imported?: number; rejected_count?: number; rejected?: unknown[] } | null = null;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    /* not JSON: an error from the CLI or a missing command */
  }
  const imported = typeof parsed?.imported === 'number' ? parsed.imported : null;
  const ok = r.code === 0 && imported !== null;
  return {
    ok,
    seconds: r.seconds,
    peakMb: r.peakMb,
    peakSource: r.peakSource,
    imported,
    rejected: typeof parsed?.rejected_count === 'number' ? parsed.rejected_count : Array.isArray(parsed?.rejected) ? parsed.rejected.length : null,
    rowsPerSecond: imported !== null ? imported / r.seconds : null,
    detail: ok ? undefined : `exit ${r.code}: ${(r.stdout.slice(0, 600) + r.stderr.slice(-1200)).trim()}`,
  };
}
