import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type AdminAgent, type Harness, type SignedClient } from '../../testutil/harness.ts';
import { upload } from './bulk-testkit.ts';

// Bad lists, bad requests and the wrong people: clear 4xx answers, and nothing stored.
let h: Harness;
let admin: AdminAgent;
let client: SignedClient;
let sku: string;

beforeAll(async () => {
  h = await createHarness();
  admin = await h.admin('operator');
  client = await h.client(['bulk:write', 'bulk:read']);
  sku = (await h.product()).sku;
});
afterAll(() => h?.close());

const runCount = async () => Number((await sql<{ n: number }>`SELECT (SELECT count(*) FROM bulk_runs) + (SELECT count(*) FROM bulk_rows) AS n`.execute(h.ctx.db)).rows[0].n);

describe('lists that cannot be issued', () => {
  it('a file where every row is bad is a 400 with the first problems, and nothing is stored', async () => {
    const before = await runCount();
    const r = await upload(h, admin, { client: client.id, product: sku }, 'bad.csv', 'phone,email\nabc,\n,not-an-email\n,\n');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    expect(r.body.code).toBe('bulk_nothing_to_issue');
    expect(r.body.errors).toEqual([
      { field: 'row 2', message: expect.stringMatching(/^invalid_phone:/) },
      { field: 'row 3', message: expect.stringMatching(/^invalid_email:/) },
    ]);
    expect(await runCount()).toBe(before);
  });

  it('a file without a header row, an empty file, an unknown format: 400; an unknown client or product: 404', async () => {
    const noHeader = await upload(h, admin, { client: client.id, product: sku }, 'x.csv', '13900000000\n13900000001\n');
    expect([noHeader.status, noHeader.body.code]).toEqual([400, 'bulk_header_missing']);
    const empty = await upload(h, admin, { client: client.id, product: sku }, 'x.csv', 'phone\n');
    expect([empty.status, empty.body.code]).toEqual([400, 'empty_file']);
    const pdf = await upload(h, admin, { client: client.id, product: sku }, 'x.pdf', 'phone\n1390000000\n');
    expect([pdf.status, pdf.body.code]).toEqual([400, 'unsupported_format']);
    const noClient = await upload(h, admin, { client: 'nobody', product: sku }, 'x.csv', 'phone\n13900000000\n');
    expect(noClient.status).toBe(404);
    const noProduct = await upload(h, admin, { client: client.id, product: 'NOPE' }, 'x.csv', 'phone\n13900000000\n');
    expect([noProduct.status, noProduct.body.code]).toEqual([404, 'product_not_found']);
    const fieldAfterFile = await (async () => {
      const form = new FormData();
      form.append('file', new Blob(['phone\n13900000000\n']), 'x.csv');
      form.append('client', client.id);
      return fetch(h.url + '/v1/admin/bulk-issuances', { method: 'POST', headers: admin.headers, body: form }).then(async (res) => ({ status: res.status, body: (await res.json()) as { errors: { field: string }[] } }));
    })();
    expect(fieldAfterFile.status).toBe(400);
    expect(fieldAfterFile.body.errors[0].field).toBe('client');
    const badNotify = await upload(h, admin, { client: client.id, product: sku, notify: 'pigeon' }, 'x.csv', 'phone\n13900000000\n');
    expect(badNotify.status).toBe(400);
    expect(await runCount()).toBe(0);
  });

  it('the client API: Idempotency-Key required, another body under the same key 409, a bad body 400', async () => {
    const body = { product: sku, rows: [{ external_id: 'e-1' }] };
    expect((await client.request('POST', '/v1/bulk-issuances', body)).body.code).toBe('idempotency_key_required');
    const key = idem();
    expect((await client.request('POST', '/v1/bulk-issuances', body, { idempotencyKey: key })).status).toBe(202);
    const clash = await client.request('POST', '/v1/bulk-issuances', { ...body, rows: [{ external_id: 'e-2' }] }, { idempotencyKey: key });
    expect([clash.status, clash.body.code]).toEqual([409, 'idempotency_key_reused']);
    const extra = await client.request('POST', '/v1/bulk-issuances', { product: sku, rows: [{ nickname: 'x' }] }, { idempotencyKey: idem() });
    expect(extra.status).toBe(400);
    const none = await client.request('POST', '/v1/bulk-issuances', { product: sku, rows: [] }, { idempotencyKey: idem() });
    expect(none.status).toBe(400);
  });
});

describe('who may', () => {
  it('a client without bulk:write is 403; support reads runs but cannot upload, pause or download the report', async () => {
    const reader = await h.client(['grants:write']);
    expect((await reader.request('POST', '/v1/bulk-issuances', { product: sku, rows: [{ external_id: 'x' }] }, { idempotencyKey: idem() })).status).toBe(403);
    const support = await h.admin('support');
    expect((await upload(h, support, { client: client.id, product: sku }, 'x.csv', 'phone\n13900000000\n')).status).toBe(403);
    const list = await support.request('GET', '/v1/admin/bulk-issuances');
    expect(list.status).toBe(200);
    const id = list.body.data[0].id;
    expect((await support.request('POST', `/v1/admin/bulk-issuances/${id}/pause`)).status).toBe(403);
    expect((await support.request('GET', `/v1/admin/bulk-issuances/${id}/report`)).status).toBe(403);
    const finance = await h.admin('finance');
    expect((await finance.request('GET', '/v1/admin/bulk-issuances')).status).toBe(403);
  });
});
