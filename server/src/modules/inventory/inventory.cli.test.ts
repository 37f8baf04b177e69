import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scriptCli } from '../../testutil/cli.ts';

// `quanyi codes import` and `quanyi stock` end to end, as a script would run them, through the real commander
// program (in-process, testutil/cli.ts: the same parsing, output and exit codes without a Node start-up per
// command; the real binary's process boundary is cli/cli.e2e.test.ts's): against a data directory holding the
// migrated template (embedded) or a fresh PostgreSQL database.
const { dir, quanyi } = scriptCli('qy-cli-');

beforeAll(async () => {
  const p = await quanyi('products', 'create', '--sku', 'CLI-SKU', '--name', 'Youku VIP', '--platform', 'youku', '--safety-stock', '10', '--json');
  expect(p.code, p.stderr + p.stdout).toBe(0);
}, 60_000);

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
    const nothing = JSON.parse(again.stdout);
    expect(nothing.error).toBe('nothing_imported');
    expect(nothing.rejected[0]).toEqual({ line: 1, reason: `already in stock (batch ${out.batch_id}, line 1)` });

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
