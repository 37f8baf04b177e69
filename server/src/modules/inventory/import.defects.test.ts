import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { runCli } from '../../testutil/cli.ts';
import { seedEmbeddedDataDir } from '../../testutil/database.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { EXIT } from '../../platform/cli/output.ts';
import { IMPORT_JOB, codeCounts } from './index.ts';
import type { ImportJobPayload } from './import.job.ts';
import { storeUpload } from './upload-store.ts';

// Issue 5 §4: one huge line no longer kills the import job (and the process, in a loop); an import that
// imports nothing is a failure the job and the CLI report.
let h: Harness;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-defects-'));
beforeAll(async () => {
  h = await createHarness({ QUANYI_DATA_DIR: dataDir });
});
afterAll(async () => {
  await h?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** `size` bytes of one line without a newline, generated as it is read (no fixture, never in memory). */
function hugeLine(size: number): Readable {
  const piece = Buffer.alloc(64 * 1024, 'x');
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return this.push(null);
      const n = Math.min(left, piece.length);
      left -= n;
      this.push(piece.subarray(0, n));
    },
  });
}

async function runJob(payload: ImportJobPayload) {
  const job = await h.ctx.db.transaction().execute((tx) => enqueue(tx, IMPORT_JOB, payload as unknown as Record<string, unknown>, { maxAttempts: 3 }));
  const runner = startJobRunner(h.ctx, { pollMs: 20 });
  try {
    for (let i = 0; i < 6000; i++) {
      const row = await h.ctx.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      if (['succeeded', 'failed', 'dead'].includes(row.status)) return row;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job did not finish');
  } finally {
    await runner.stop();
  }
}

const payloadFor = (upload: ImportJobPayload['upload'], product: string, name: string): ImportJobPayload => ({
  upload, batch_id: newId('bat'), product, source_name: name, format: null, supplier: null, unit_cost: null, expires_at: null, actor: 'usr_test',
});

describe('one huge line', () => {
  it('a 64 MB single-line TXT: the row is rejected as too long without being buffered, the job fails once and cleanly, the upload is deleted', async () => {
    const p = await h.product();
    const upload = await storeUpload(h.ctx, hugeLine(64 * 1024 * 1024));
    expect(upload.size).toBe(64 * 1024 * 1024);
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 10);
    const job = await runJob(payloadFor(upload, p.id, 'huge.txt')).finally(() => clearInterval(sampler));
    expect(job.status).toBe('failed'); // for good: no retry picks it up again
    expect(job.attempts).toBe(1);
    expect(job.last_error).toMatch(/^nothing_imported: .*line 1: row too long \(more than 4096 bytes\)/);
    expect(fs.existsSync(upload.path)).toBe(false);
    // a 64 MB line held as a string alone would be 64 MB of heap
    expect(peak - base).toBeLessThan(24 * 1024 * 1024);
    expect(await codeCounts(h.ctx.db, p.id)).toEqual({});
    expect(await h.ctx.db.selectFrom('batches').select('id').where('product_id', '=', p.id).execute()).toEqual([]);
  }, 300_000);

  it('a too-long line among good ones is reported by line and the rest is imported', async () => {
    const p = await h.product();
    const upload = await storeUpload(h.ctx, Readable.from([Buffer.from('G1----P1\n' + 'y'.repeat(10_000) + '\nG2----P2\n')]));
    const job = await runJob(payloadFor(upload, p.id, 'mixed.txt'));
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ imported: 2, rejected: [{ line: 2, reason: 'row too long (more than 4096 bytes)' }] });
    expect(fs.existsSync(upload.path)).toBe(false);
  });
});

describe('an import that imports nothing', () => {
  it('fails the job with the reasons, and leaves no batch', async () => {
    const p = await h.product();
    const upload = await storeUpload(h.ctx, Readable.from([Buffer.from('CODE----\n----PWD\n')]));
    const job = await runJob(payloadFor(upload, p.id, 'bad.txt'));
    expect(job.status).toBe('failed');
    expect(job.last_error).toBe('nothing_imported: No row was imported: 2 of 2 rows rejected (line 1: empty password; line 2: empty card number).');
    expect(await h.ctx.db.selectFrom('batches').select('id').where('product_id', '=', p.id).execute()).toEqual([]);
  });

  it('`quanyi codes import` exits non-zero (EXIT.invalid) and says why', async () => {
    // in-process through the real commander program (testutil/cli.ts), on a data directory holding the
    // migrated template: the same output and exit code as the binary without a Node start-up and an initdb
    const cliDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-cli-imp-'));
    await seedEmbeddedDataDir(cliDir);
    const quanyi = (args: string[]) => runCli(args, { QUANYI_DATA_DIR: cliDir, DATABASE_URL: '', LOG_LEVEL: 'silent' });
    try {
      expect((await quanyi(['products', 'create', '--sku', 'IMP-0', '--name', 'x', '--platform', 'iqiyi', '--json'])).code).toBe(0);
      const file = path.join(cliDir, 'codes.txt');
      fs.writeFileSync(file, 'CODE----\nA----B----C\n');
      const r = await quanyi(['codes', 'import', '--product', 'IMP-0', '--file', file, '--json']);
      expect(r.code).toBe(EXIT.invalid);
      expect(r.json).toMatchObject({
        error: 'nothing_imported',
        total_rows: 2,
        rejected: [{ line: 1, reason: 'empty password' }, { line: 2, reason: expect.stringMatching(/^too many fields \(3\)/) }],
      });
    } finally {
      fs.rmSync(cliDir, { recursive: true, force: true });
    }
  });
});
