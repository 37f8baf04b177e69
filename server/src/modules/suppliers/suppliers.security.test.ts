import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { rewrapAll } from '../../flows/rotate-master-key.ts';
import { createHarness, http, TEST_MASTER_KEY, type Harness } from '../../testutil/harness.ts';
import { supplierConnection } from './index.ts';

// Supplier credentials: the secret goes in once and never comes out — not in responses, not in log lines
// (at trace level), not in audit details, not in any table's bytes — and only permitted roles touch suppliers.
let h: Harness;
const logs: string[] = [];
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (d) => logs.push(d.toString()));
  h = await createHarness({ LOG_LEVEL: 'trace' }, { logStream: stream });
});
afterAll(() => h?.close());

const SECRET = 'fulu-secret-' + randomBytes(8).toString('hex');
const ROTATED = 'fulu-rotated-' + randomBytes(8).toString('hex');
const APP_KEY = 'appkey-' + randomBytes(8).toString('hex');

/** every row of every table in the public schema, as text (bytea as hex) */
async function everyTableAsText(): Promise<string> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`.execute(h.ctx.db);
  let all = '';
  for (const t of tables.rows) {
    const rows = await sql<{ t: string }>`SELECT t::text AS t FROM ${sql.table(t.table_name)} t`.execute(h.ctx.db);
    all += rows.rows.map((r) => r.t).join('\n');
  }
  return all;
}

describe('suppliers security', () => {
  it('never returns, logs, audits or stores the app_secret in plain text', async () => {
    const admin = await h.admin();
    const created = await admin.request('POST', '/v1/admin/suppliers', { name: 'sec', adapter: 'fulu', endpoint: 'http://127.0.0.1:9/gw', app_key: APP_KEY, app_secret: SECRET });
    expect(created.status).toBe(201);
    const id = created.body.id;
    // a refused request carrying a secret is not echoed or logged either
    const refused = await admin.request('POST', '/v1/admin/suppliers', { name: 'sec2', adapter: 'fulu', endpoint: 'ftp://x', app_key: APP_KEY, app_secret: SECRET });
    expect(refused.status).toBe(400);
    const rotated = await admin.request('PATCH', `/v1/admin/suppliers/${id}`, { app_secret: ROTATED });
    expect(rotated.status).toBe(200);
    // the balance refresh opens the credentials and calls out (nothing listens on port 9): still nothing leaks
    const refresh = await admin.request('POST', `/v1/admin/suppliers/${id}/balance/refresh`);
    expect(refresh.status).toBe(200);
    expect(refresh.body.refresh.ok).toBe(false);

    const responses = [created, refused, rotated, refresh, await admin.request('GET', `/v1/admin/suppliers/${id}`), await admin.request('GET', '/v1/admin/suppliers')];
    for (const r of responses) {
      const text = JSON.stringify(r.body);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(ROTATED);
      expect(text).not.toContain(APP_KEY);
    }
    const logText = logs.join('');
    expect(logText).toContain('/v1/admin/suppliers'); // the requests were logged …
    for (const s of [SECRET, ROTATED, APP_KEY]) expect(logText).not.toContain(s); // … without the credentials

    const stored = await everyTableAsText();
    expect(stored).toContain(id);
    for (const s of [SECRET, ROTATED]) {
      expect(stored).not.toContain(s);
      expect(stored).not.toContain(Buffer.from(s).toString('hex'));
      expect(stored).not.toContain(Buffer.from(s).toString('base64'));
    }
    const audit = await h.ctx.db.selectFrom('audit_events').select('details').where('target', '=', id).execute();
    expect(audit.length).toBe(2);
    expect(JSON.stringify(audit)).not.toContain(APP_KEY);

    // only the server, with the master key, opens it
    expect((await supplierConnection(h.ctx, id)).creds.appSecret).toBe(ROTATED);
  });

  it('key rotation re-wraps supplier secrets; the supplier still connects', async () => {
    const admin = await h.admin();
    const id = (await admin.request('POST', '/v1/admin/suppliers', { name: 'rot', adapter: 'fulu', endpoint: 'https://gw.example/x', app_key: 'k', app_secret: SECRET })).body.id;
    const fresh = randomBytes(32);
    const newKeyring = new Keyring([fresh, Buffer.from(TEST_MASTER_KEY, 'base64')]);
    const counts = await h.ctx.db.transaction().execute((tx) => rewrapAll(tx, newKeyring));
    expect(counts.suppliers).toBeGreaterThanOrEqual(1);
    const row = await h.ctx.db.selectFrom('suppliers').select('master_key_id').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.master_key_id).toBe(newKeyring.current.id);
    expect((await supplierConnection({ db: h.ctx.db, keyring: newKeyring }, id)).creds.appSecret).toBe(SECRET);
    // put things back for the other tests
    await h.ctx.db.transaction().execute((tx) => rewrapAll(tx, new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64'), fresh])));
  });

  it('checks the session and the role on every supplier route', async () => {
    const admin = await h.admin();
    const s = (await admin.request('POST', '/v1/admin/suppliers', { name: 'roles', adapter: 'fulu', endpoint: 'https://gw.example/x', app_key: 'k', app_secret: 's' })).body;
    const product = await h.product({ kind: 'direct_recharge' });
    const list = { suppliers: [{ supplier_id: s.id, supplier_product_id: 'P', unit_cost: 1 }] };
    const reads: Array<[string, string]> = [['GET', '/v1/admin/suppliers'], ['GET', `/v1/admin/suppliers/${s.id}`], ['GET', `/v1/admin/products/${product.id}/suppliers`]];
    const writes: Array<[string, string, unknown]> = [
      ['POST', '/v1/admin/suppliers', { name: 'x', adapter: 'fulu', endpoint: 'https://gw.example/x', app_key: 'k', app_secret: 's' }],
      ['PATCH', `/v1/admin/suppliers/${s.id}`, { status: 'disabled' }],
      ['POST', `/v1/admin/suppliers/${s.id}/balance/refresh`, undefined],
      ['PUT', `/v1/admin/products/${product.id}/suppliers`, list],
    ];
    for (const [method, path] of [...reads, ...writes]) {
      const anon = await http(h.url + path, { method });
      expect([anon.status, anon.body.code], `${method} ${path}`).toEqual([401, 'not_signed_in']);
    }
    for (const role of ['support'] as const) {
      const agent = await h.admin(role);
      for (const [method, path] of reads) expect((await agent.request(method, path)).status, `${role} ${path}`).toBe(403);
    }
    for (const role of ['finance', 'auditor'] as const) {
      const agent = await h.admin(role);
      for (const [method, path] of reads) expect((await agent.request(method, path)).status, `${role} ${path}`).toBe(200);
      for (const [method, path, body] of writes) {
        const r = await agent.request(method, path, body);
        expect([r.status, r.body.code], `${role} ${method} ${path}`).toEqual([403, 'forbidden']);
      }
    }
    // nothing changed through the refused writes
    expect((await admin.request('GET', `/v1/admin/suppliers/${s.id}`)).body.status).toBe('active');
    expect((await admin.request('GET', `/v1/admin/products/${product.id}/suppliers`)).body.suppliers).toEqual([]);
    expect(await h.ctx.db.selectFrom('suppliers').select('id').where('name', '=', 'x').execute()).toEqual([]);
  });
});
