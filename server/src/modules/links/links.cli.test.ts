import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../platform/cli/output.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { runHarnessCli } from '../../testutil/harness-cli.ts';
import { unzipEntries } from './links.testkit.ts';

// `quanyi links create` (the server's job issues, the command follows) and `quanyi links export` (a file of
// mode 0600, audited as the CLI's).
let h: Harness;
let runner: { stop(): Promise<void> };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-links-'));
const quanyi = (...args: string[]) => runHarnessCli(h, ...args);
beforeAll(async () => {
  h = await createHarness();
  runner = startJobRunner(h.ctx, { pollMs: 20 });
});
afterAll(async () => {
  await runner?.stop();
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('quanyi links', () => {
  it('creates a batch, waits until issued, and exports it as CSV and a ZIP of QR codes', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 6);
    const created = await quanyi('links', 'create', '--client', client.id, '--product', product.sku, '--count', '6', '--label', 'print run', '--json');
    expect(created.code).toBe(EXIT.ok);
    expect(created.json).toMatchObject({ status: 'ready', count: 6, issued: 6 });
    const csv = path.join(dir, 'links.csv');
    const r = await quanyi('links', 'export', created.json.id, '--format', 'csv', '--out', csv, '--json');
    expect([r.code, r.json.links]).toEqual([EXIT.ok, 6]);
    expect(fs.statSync(csv).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(csv, 'utf8').trim().split('\r\n')).toHaveLength(7);
    const zip = path.join(dir, 'qr.zip');
    expect((await quanyi('links', 'export', created.json.id, '--format', 'zip', '--out', zip, '--json')).code).toBe(EXIT.ok);
    expect(unzipEntries(fs.readFileSync(zip)).map((e) => e.name)).toEqual(['1.png', '2.png', '3.png', '4.png', '5.png', '6.png']);
    const audit = await h.ctx.db.selectFrom('audit_events').select(['actor', 'details']).where('action', '=', 'link_batch.export').execute();
    expect(audit.map((a) => [a.actor, (a.details as { format: string }).format])).toEqual([['cli', 'csv'], ['cli', 'zip']]);
    const bad = await quanyi('links', 'export', created.json.id, '--format', 'pdf', '--out', zip, '--json');
    expect(bad.code).toBe(EXIT.invalid);
  });
});
