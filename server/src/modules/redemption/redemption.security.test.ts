import { execFileSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres } from '../../testutil/database.ts';
import { generateCode } from './redemption.code.ts';
import { downloadGeneration, runGenerateJob } from './redemption.generate.ts';
import { startGeneration } from './redemption.service.ts';
import { campaign, inlineRun } from './redemption.testkit.ts';

// Codes are bearer secrets: only fingerprints and masked hints at rest, the list sealed until its one
// download, guessing throttled per IP, and only redemption:export may take the list.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

async function dump(): Promise<Buffer> {
  if (onRealPostgres) return execFileSync('pg_dump', ['--no-owner', h.testDb.url!], { maxBuffer: 256 * 1024 * 1024 });
  // no pg_dump for the embedded database: every row of every table as text (bytea as hex, as pg_dump does)
  const tables = await sql<{ t: string }>`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`.execute(h.ctx.db);
  const parts: string[] = [];
  for (const { t } of tables.rows) parts.push(...(await sql<{ r: string }>`SELECT x::text AS r FROM ${sql.table(t)} x`.execute(h.ctx.db)).rows.map((r) => r.r));
  return Buffer.from(parts.join('\n'));
}

describe('redemption codes at rest', () => {
  it(`no plaintext code in the database (${onRealPostgres ? 'pg_dump' : 'every row as text'}), before and after the one download`, async () => {
    const c = await campaign(h, { stock: 2, codes: 0 });
    const g = await startGeneration(h.ctx, c.setId, { count: 40, prefix: 'ZZ' }, 'usr_test');
    await runGenerateJob(inlineRun(h, 'redemption.generate', { generation_id: g.id }));
    const before = await dump();
    const chunks = await h.ctx.db.selectFrom('redemption_generation_chunks').select('seq').where('generation_id', '=', g.id).execute();
    expect(chunks).toHaveLength(1);
    const { codes } = await downloadGeneration(h.ctx, g.id, 'usr_test');
    expect(codes).toHaveLength(40);
    // a claim too: its row holds the recipient sealed
    const r = await c.client.request('POST', '/v1/redemption-codes/claim', { code: codes[0], recipient: { phone: '13511112222' } }, { idempotencyKey: idem() });
    expect(r.status).toBe(201);
    const after = await dump();
    for (const d of [before, after]) {
      for (const code of codes) {
        const plain = code.replace(/-/g, '');
        expect(d.includes(Buffer.from(plain)), `code ${plain} in the database`).toBe(false);
        expect(d.includes(Buffer.from(code)), `code ${code} in the database`).toBe(false);
      }
      // the scan does see what is stored: fingerprints (hex) and hints
      expect(d.includes(Buffer.from(h.ctx.secrets.redemptionFingerprint(codes[3].replace(/-/g, '')).toString('hex')))).toBe(true);
      expect(d.includes(Buffer.from('ZZ****' + codes[3].slice(-3)))).toBe(true);
    }
    expect(after.includes(Buffer.from('13511112222'))).toBe(false);
    expect(await h.ctx.db.selectFrom('redemption_generation_chunks').select('seq').where('generation_id', '=', g.id).execute()).toEqual([]);
  });
});

describe('guessing and permissions', () => {
  it('unknown codes are throttled per IP (30 per 10 min, reserved before the lookup); a 429 says when to retry', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 45 }, () =>
        http(h.url + '/v1/public/redemption/claim', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: generateCode('', 12) }) }),
      ),
    );
    const statuses = guesses.map((g) => g.status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(Number(guesses.find((g) => g.status === 429)!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('signed API: the unknown-code budget is per recipient of the client, not per IP', async () => {
    const c = await campaign(h, { stock: 1, codes: 1 });
    const guess = (who: string, code = generateCode('', 12)) => c.client.request('POST', '/v1/redemption-codes/claim', { code, recipient: { external_id: who } }, { idempotencyKey: idem() });
    const statuses = (await Promise.all(Array.from({ length: 35 }, () => guess('bot')))).map((r) => r.status);
    expect(statuses.filter((s) => s === 404)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // another user of the same client (same IP) is not held back
    expect((await guess('honest', c.codes[0])).status).toBe(201);
  });

  it('roles: support reads but cannot generate or take the list; finance cannot take the list; operators can', async () => {
    const operator = await h.admin('operator');
    const support = await h.admin('support');
    const finance = await h.admin('finance');
    const c = await campaign(h, { stock: 1, codes: 0 });
    expect((await support.request('GET', `/v1/admin/redemption-sets/${c.setId}`)).status).toBe(200);
    expect((await support.request('POST', `/v1/admin/redemption-sets/${c.setId}/generate`, { count: 2 })).status).toBe(403);
    expect((await support.request('POST', `/v1/admin/redemption-sets/${c.setId}/pause`)).status).toBe(403);
    const g = await startGeneration(h.ctx, c.setId, { count: 2 }, 'usr_test');
    await runGenerateJob(inlineRun(h, 'redemption.generate', { generation_id: g.id }));
    const url = `/v1/admin/redemption-generations/${g.id}/download`;
    expect((await support.request('GET', url)).status).toBe(403);
    expect((await finance.request('GET', url)).status).toBe(403);
    expect((await http(h.url + url, {})).status).toBe(401);
    const ok = await operator.request('GET', url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect((await operator.request('GET', url)).status).toBe(410);
  });
});
