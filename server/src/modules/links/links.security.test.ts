import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { createBatch, runIssueJob } from './links.service.ts';
import { isCheckAgain, type JobRun } from '../../platform/jobs/jobs.ts';

// The links of a batch are bearer secrets: only admins and operators create and export them, every export
// is audited (who, when, which format, how many), and nothing of the file is stored.
let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
let batchId: string;
beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin();
  client = await h.client();
  const product = await h.product();
  await h.stock(product.id, 4);
  batchId = (await createBatch(h.ctx, { client: client.id, product: product.sku, count: 4, label: 'partner' }, admin.id)).id;
  const run = { ctx: h.ctx, payload: { batch_id: batchId }, progress: () => {}, attempt: 1, lastAttempt: false } as unknown as JobRun;
  while (isCheckAgain(await runIssueJob(run)));
});
afterAll(() => h?.close());

const exportAs = (who: AdminAgent, format = 'csv') => fetch(`${h.url}/v1/admin/link-batches/${batchId}/export?format=${format}`, { headers: who.headers });

describe('link batch exports', () => {
  it('are refused to support, finance and auditors (403) and to nobody signed in (401); support may still see the batch', async () => {
    for (const role of ['support', 'finance', 'auditor'] as const) {
      const who = await h.admin(role);
      const r = await exportAs(who);
      expect(r.status, role).toBe(403);
      expect(await r.text()).not.toContain('/r/');
      const create = await who.request('POST', '/v1/admin/link-batches', { client: client.id, product: 'x', count: 1, label: 'x' });
      expect(create.status, role).toBe(403);
    }
    expect((await (await h.admin('support')).request('GET', `/v1/admin/link-batches/${batchId}`)).status).toBe(200);
    expect((await fetch(`${h.url}/v1/admin/link-batches/${batchId}/export?format=csv`)).status).toBe(401);
    const refused = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE action = 'link_batch.export'`.execute(h.ctx.db);
    expect(refused.rows[0].n).toBe(0);
  });

  it('are audited with who, the format and how many links, and an operator may export', async () => {
    const operator = await h.admin('operator');
    const zip = await exportAs(operator, 'zip');
    expect(zip.status).toBe(200);
    await zip.arrayBuffer(); // read to the end: the audit event is written once the stream is done
    const r = await exportAs(admin, 'csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    await r.text();
    const audit = await h.ctx.db.selectFrom('audit_events').select(['actor', 'details']).where('action', '=', 'link_batch.export').where('target', '=', batchId).orderBy('seq').execute();
    expect(audit.map((a) => [a.actor, (a.details as { format: string }).format, (a.details as { links: number }).links])).toEqual([
      [operator.id, 'zip', 4],
      [admin.id, 'csv', 4],
    ]);
  });
});
