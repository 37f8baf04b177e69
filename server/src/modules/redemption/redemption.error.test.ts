import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { generateCode } from './redemption.code.ts';
import { campaign } from './redemption.testkit.ts';

// Refusals are clear and change nothing: no counter moves, no claim row, no grant.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

async function counters(setId: string) {
  const codes = await h.ctx.db.selectFrom('redemption_codes').select(['redeemed']).where('set_id', '=', setId).execute();
  const users = await h.ctx.db.selectFrom('redemption_user_counts').select(['used', 'failed']).where('set_id', '=', setId).execute();
  const claims = await h.ctx.db.selectFrom('redemption_claims').select(['status', 'failure_code']).where('set_id', '=', setId).execute();
  return { redeemed: codes.reduce((s, c) => s + c.redeemed, 0), used: users.reduce((s, u) => s + u.used, 0), claims };
}

const typo = (code: string) => code.slice(0, 3) + (code[3] === 'A' ? 'B' : 'A') + code.slice(4);

describe('claim refusals', () => {
  it('a typo is 400 redemption_code_typo before any lookup, and does not count as a guess', async () => {
    const c = await campaign(h, { stock: 1, codes: 1 });
    for (let i = 0; i < 40; i++) {
      const r = await http(h.url + '/v1/public/redemption/claim', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: typo(c.codes[0]) }) });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe('redemption_code_typo');
      expect(r.body.errors[0].field).toBe('code');
    }
    // 40 typos > the 30-guess budget: the real code still claims
    const ok = await http(h.url + '/v1/public/redemption/claim', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: c.codes[0], phone: '13700000000' }) });
    expect(ok.status).toBe(201);
  });

  it('unknown codes are 404; another client\'s code is unknown to a signed caller', async () => {
    const c = await campaign(h, { stock: 1, codes: 1 });
    const other = await h.client();
    const r = await c.client.request('POST', '/v1/redemption-codes/claim', { code: generateCode('', 12), recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect([r.status, r.body.code]).toEqual([404, 'redemption_code_not_found']);
    const foreign = await other.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: 'x' } }, { idempotencyKey: idem() });
    expect([foreign.status, foreign.body.code]).toEqual([404, 'redemption_code_not_found']);
    expect(await counters(c.setId)).toEqual({ redeemed: 0, used: 0, claims: [] });
  });

  it('not started, expired, exhausted and the per-user limit: clear codes, nothing changes', async () => {
    const soon = await campaign(h, { stock: 2, codes: 1, set: { starts_at: new Date(Date.now() + 3_600_000).toISOString() } });
    const r1 = await soon.client.request('POST', '/v1/redemption-codes/claim', { code: soon.codes[0], recipient: { external_id: 'a' } }, { idempotencyKey: idem() });
    expect([r1.status, r1.body.code]).toEqual([409, 'redemption_code_not_started']);
    expect(await counters(soon.setId)).toEqual({ redeemed: 0, used: 0, claims: [] });

    const over = await campaign(h, { stock: 2, codes: 1 });
    await h.ctx.db.updateTable('redemption_sets').set({ starts_at: new Date(Date.now() - 7_200_000), ends_at: new Date(Date.now() - 3_600_000) }).where('id', '=', over.setId).execute();
    const r2 = await over.client.request('POST', '/v1/redemption-codes/claim', { code: over.codes[0], recipient: { external_id: 'a' } }, { idempotencyKey: idem() });
    expect([r2.status, r2.body.code]).toEqual([410, 'redemption_code_expired']);

    const multi = await campaign(h, { stock: 5, codes: 2, set: { max_redemptions: 1, per_user_limit: 1 } });
    const claim = (code: string, who: string) => multi.client.request('POST', '/v1/redemption-codes/claim', { code, recipient: { external_id: who } }, { idempotencyKey: idem() });
    expect((await claim(multi.codes[0], 'a')).status).toBe(201);
    const again = await claim(multi.codes[0], 'b');
    expect([again.status, again.body.code]).toEqual([409, 'redemption_code_exhausted']);
    const limit = await claim(multi.codes[1], 'a');
    expect([limit.status, limit.body.code]).toEqual([409, 'redemption_limit_reached']);
    expect(await counters(multi.setId)).toMatchObject({ redeemed: 1, used: 1 });
  });

  it('out of stock: the use and the per-user count are given back and the claim is failed; a replay says the same', async () => {
    const c = await campaign(h, { stock: 0, codes: 1, set: { max_redemptions: 5 } });
    const key = idem();
    const body = { code: c.codes[0], recipient: { external_id: 'oos' } };
    const r = await c.client.request('POST', '/v1/redemption-codes/claim', body, { idempotencyKey: key });
    expect([r.status, r.body.code]).toEqual([409, 'out_of_stock']);
    expect(await counters(c.setId)).toEqual({ redeemed: 0, used: 0, claims: [{ status: 'failed', failure_code: 'out_of_stock' }] });
    const replay = await c.client.request('POST', '/v1/redemption-codes/claim', body, { idempotencyKey: key });
    expect([replay.status, replay.body.code]).toEqual([409, 'out_of_stock']);
    // stock arrives: the same user claims again under a new key (a new claim id)
    await h.stock(c.productId, 1);
    const later = await c.client.request('POST', '/v1/redemption-codes/claim', body, { idempotencyKey: idem() });
    expect(later.status).toBe(201);
    expect((await counters(c.setId)).redeemed).toBe(1);
  });

  it('bad input: 400 with errors[], an Idempotency-Key reused with another body is 409, and nothing changes', async () => {
    const c = await campaign(h, { stock: 2, codes: 1 });
    const bad = [
      { code: c.codes[0] },
      { code: c.codes[0], recipient: {} },
      { code: c.codes[0], recipient: { external_id: 'a' }, extra: 1 },
      { code: '', recipient: { external_id: 'a' } },
      { code: c.codes[0], recipient: { phone: 'call me' } },
    ];
    for (const b of bad) {
      const r = await c.client.request('POST', '/v1/redemption-codes/claim', b, { idempotencyKey: idem() });
      expect(r.status, JSON.stringify(b)).toBe(400);
    }
    const noKey = await c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: 'a' } });
    expect([noKey.status, noKey.body.code]).toEqual([400, 'idempotency_key_required']);
    expect(await counters(c.setId)).toEqual({ redeemed: 0, used: 0, claims: [] });
    const key = idem();
    expect((await c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: 'a' } }, { idempotencyKey: key })).status).toBe(201);
    const reused = await c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: 'b' } }, { idempotencyKey: key });
    expect([reused.status, reused.body.code]).toEqual([409, 'idempotency_key_reused']);

    const admin = await h.admin('operator');
    const badSet = await admin.request('POST', '/v1/admin/redemption-sets', { name: 'x', client_id: 'cli_nope', product: 'NOPE', ends_at: new Date(Date.now() - 1000).toISOString() });
    expect(badSet.status).toBe(400);
    expect(badSet.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['client_id', 'ends_at', 'product']);
    const badGen = await admin.request('POST', `/v1/admin/redemption-sets/${c.setId}/generate`, { count: 0, prefix: 'O0' });
    expect(badGen.status).toBe(400);
    expect(await h.ctx.db.selectFrom('redemption_generations').select('id').where('set_id', '=', c.setId).execute()).toHaveLength(1);
  });
});
