import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKit, type Kit } from './recharge.testkit.ts';

// No recharge account in plain text anywhere we keep things — any table, any log line at trace level — and
// a client sees only its own grants.
let k: Kit;
const logs: string[] = [];
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (c: Buffer) => logs.push(c.toString('utf8')));
  k = await createKit({ env: { LOG_LEVEL: 'trace' }, logStream: stream });
});
afterAll(() => k?.close());

const ACCOUNTS = ['13987654321', 'secretUid.member77'];

describe('recharge accounts at rest and in logs', () => {
  it('are stored encrypted, masked and fingerprinted only', async () => {
    const ids: string[] = [];
    for (const a of ACCOUNTS) {
      const r = await k.issue(a, { metadata: { note: 'hello' } });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    for (const id of ids) expect((await k.waitFinal(id)).status).toBe('redeemed');
    // the sandbox did recharge the real accounts: they crossed the wire to the supplier and only there
    expect(k.sandboxes[0].sandbox.counts.rechargesByAccount.get(ACCOUNTS[0])).toBe(1);

    const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(k.h.ctx.db);
    for (const { tablename } of tables.rows) {
      const dump = await sql<{ t: string }>`SELECT coalesce(string_agg(row_to_json(x)::text, E'\\n'), '') AS t FROM ${sql.table(tablename)} x`.execute(k.h.ctx.db);
      const text = dump.rows[0].t;
      for (const a of ACCOUNTS) {
        expect(text.includes(a), `${a} in ${tablename}`).toBe(false);
        // nor as bytes (bytea columns render as hex)
        expect(text.includes(Buffer.from(a).toString('hex')), `${a} as hex in ${tablename}`).toBe(false);
      }
    }
    const all = logs.join('');
    expect(all.length).toBeGreaterThan(0);
    for (const a of ACCOUNTS) expect(all.includes(a), `${a} in the logs`).toBe(false);
  });

  it('a client sees only its own grants; admin views show the account masked', async () => {
    const r = await k.issue('13911112222');
    const other = await k.h.client();
    expect((await other.request('GET', `/v1/grants/${r.body.id}`)).status).toBe(404);
    const list = await other.request('GET', '/v1/grants?limit=200');
    expect(list.body.data.map((g: { id: string }) => g.id)).not.toContain(r.body.id);
    // the other client cannot replay into it either: its own key space
    const v = await k.admin.request('GET', `/v1/admin/recharges/${r.body.id}`);
    expect(v.body.account).toBe('139****2222');
    expect(JSON.stringify(v.body)).not.toContain('13911112222');
    const adminGrant = await k.admin.request('GET', `/v1/admin/grants/${r.body.id}`);
    expect(JSON.stringify(adminGrant.body)).not.toContain('13911112222');
  });
});
