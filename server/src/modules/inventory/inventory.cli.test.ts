import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onRealPostgres, type TestDatabase } from '../../testutil/database.ts';
import { TEST_MASTER_KEY } from '../../testutil/harness.ts';

// `quanyi codes import` and `quanyi stock` end to end, in a child process, as a script would run them:
// against a temporary data directory (embedded) or a fresh PostgreSQL database.
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/quanyi.mjs');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-cli-'));
let pgDb: TestDatabase | undefined;

async function quanyi(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), QUANYI_DATA_DIR: path.join(dir, 'data'), QUANYI_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  if (pgDb) env.DATABASE_URL = pgDb.url!;
  try {
    const r = await promisify(execFile)('node', [BIN, ...args], { env, cwd: dir });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  if (onRealPostgres) {
    pgDb = await createTestDatabase();
    await pgDb.database.close(); // the child processes open it; keep only the right to drop it
  }
  const p = await quanyi('products', 'create', '--sku', 'CLI-SKU', '--name', 'Youku VIP', '--platform', 'youku', '--safety-stock', '10', '--json');
  expect(p.code, p.stderr + p.stdout).toBe(0);
}, 60_000);

afterAll(async () => {
  if (pgDb) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${new URL(pgDb.url!).pathname.slice(1)} WITH (FORCE)`);
    await c.end();
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('quanyi codes import / stock', () => {
  it('--json prints {batch_id, imported, rejected} and exits 0 when rows were rejected', async () => {
    const file = path.join(dir, 'codes.txt');
    fs.writeFileSync(file, 'CLI-A----PW-A\nCLI-B\tPW-B\nCLI-A----PW-A\nCLI-C----\n');
    const r = await quanyi('codes', 'import', '--product', 'CLI-SKU', '--file', file, '--supplier', 'acme', '--cost', '800', '--json');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(['batch_id', 'imported', 'rejected']);
    expect(out).toEqual({
      batch_id: expect.stringMatching(/^bat_/),
      imported: 2,
      rejected: [{ line: 3, reason: 'duplicate of line 1' }, { line: 4, reason: 'empty password' }],
    });

    // the same file again imports nothing: an error (exit 3), with the reasons
    const again = await quanyi('codes', 'import', '--product', 'CLI-SKU', '--file', file, '--json');
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: 'nothing_imported', rejected: [{ line: 1, reason: `already in stock (batch ${out.batch_id}, line 1)` }] });

    const stock = await quanyi('stock', '--product', 'CLI-SKU', '--json');
    expect(stock.code).toBe(0);
    expect(JSON.parse(stock.stdout).data).toEqual([expect.objectContaining({ sku: 'CLI-SKU', available: 2, safety_stock: 10, below_safety_stock: true })]);
  }, 60_000);

  it('fails with a JSON error and a stable exit code when nothing can be imported', async () => {
    const file = path.join(dir, 'x.csv');
    fs.writeFileSync(file, 'A,B\n');
    const missing = await quanyi('codes', 'import', '--product', 'NO-SUCH', '--file', file, '--json');
    expect(missing.code).toBe(5);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: 'not_found' });
    const noFile = await quanyi('codes', 'import', '--product', 'CLI-SKU', '--file', path.join(dir, 'nope.csv'), '--json');
    expect(noFile.code).toBe(5);
    expect(JSON.parse(noFile.stdout)).toMatchObject({ error: 'file_not_found' });
  }, 60_000);

  it('without --json prints a human summary', async () => {
    const file = path.join(dir, 'h.csv');
    fs.writeFileSync(file, 'code\nHUMAN-1\nHUMAN-2\n');
    const r = await quanyi('codes', 'import', '--product', 'CLI-SKU', '--file', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/imported 2 of 2 rows, rejected 0/);
    const stock = await quanyi('stock');
    expect(stock.stdout).toMatch(/CLI-SKU\s+4\s+0\s+0\s+0\s+0\s+10\s+LOW/);
  }, 60_000);
});
