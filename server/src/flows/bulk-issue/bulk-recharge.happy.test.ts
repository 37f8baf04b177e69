import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem, type SignedClient } from '../../testutil/harness.ts';
import { createKit, phone, type Kit } from '../recharge/recharge.testkit.ts';
import { csvOf, waitForRun } from '../../modules/bulk/bulk-testkit.ts';

// A list mixing card-code rows and direct-recharge rows, with a slow supplier: the direct-recharge rows
// only queue their recharges (fast lane), so the run — card codes included — completes while every
// recharge is still pending at the supplier.
let k: Kit;
let client: SignedClient;

beforeAll(async () => {
  k = await createKit({ suppliers: [{ latencyMs: 1500, processingMs: 10000 }] });
  client = await k.h.client(['bulk:write', 'bulk:read', 'grants:read']);
}, 60_000);
afterAll(() => k?.close());

describe('direct recharges in a bulk run', () => {
  it('card-code rows finish while the recharges are still pending', async () => {
    const card = await k.h.product();
    await k.h.stock(card.id, 30);
    const rows = [
      ...Array.from({ length: 5 }, (_, i) => ({ account: phone(700 + i), product: k.product.sku })),
      ...Array.from({ length: 30 }, (_, i) => ({ external_id: 'card-' + i })),
    ];
    const r = await client.request('POST', '/v1/bulk-issuances', { product: card.sku, rows }, { idempotencyKey: idem() });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const done = await waitForRun(k.admin, r.body.id);
    expect(done).toMatchObject({ status: 'completed', progress: { issued: 35, failed: 0 } });
    const report = csvOf((await client.request('GET', `/v1/bulk-issuances/${r.body.id}/report`)).body);
    const recharges = report.filter((x) => x.recipient.startsWith('account '));
    expect(recharges).toHaveLength(5);
    // still pending at the slow supplier when the whole run is done
    for (const x of recharges) expect((await client.request('GET', `/v1/grants/${x.grant_id}`)).body.status).toBe('pending');
    // and they do finish, in their own lane
    const final = await k.waitFinal(recharges[0].grant_id, 40_000, client);
    expect(final.status).toBe('redeemed');
  }, 60_000);
});
