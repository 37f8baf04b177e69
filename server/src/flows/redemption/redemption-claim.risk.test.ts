import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { jobDefinition } from '../../platform/jobs/registry.ts';
import { campaign, inlineRun } from '../../modules/redemption/redemption.testkit.ts';
import { APPROVED_JOB } from './risk-gate.ts';

// Risk control in front of public redemption-code claims: the rules of the set's product deny before a use
// of the code is taken; a review holds the claim (202) until an operator approves (the grant is issued by a
// job) or rejects it; a refused claim gives its risk counts back.
let h: Harness;
beforeAll(async () => {
  // behind a proxy we trust (loopback): X-Forwarded-For is the visitor's address
  h = await createHarness({ QUANYI_TRUST_PROXY: '127.0.0.1' });
});
afterAll(() => h?.close());

const claim = (code: string, phone: string, ip: string) =>
  http(h.url + '/v1/public/redemption/claim', { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify({ code, phone }) });
const usesOf = async (setId: string) => Number((await sql<{ n: string }>`SELECT coalesce(sum(redeemed), 0) AS n FROM redemption_codes WHERE set_id = ${setId}`.execute(h.ctx.db)).rows[0].n);
const grantsOf = async (setId: string) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM grants WHERE metadata @> ${JSON.stringify({ redemption_set: setId })}::jsonb`.execute(h.ctx.db)).rows[0].n);

describe('public redemption claims behind risk control', () => {
  it('an IP limit on the product denies with 429 before a use is taken; a blacklisted phone gets 403', async () => {
    const c = await campaign(h, { stock: 10, codes: 5 });
    const admin = await h.admin('operator');
    expect((await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: c.productId, name: '2 per IP', kind: 'limit', action: 'deny', dimension: 'ip', max: 2, window_seconds: 3600 })).status).toBe(201);
    expect((await claim(c.codes[0], '13700000001', '100.80.0.1')).status).toBe(201);
    expect((await claim(c.codes[1], '13700000002', '100.80.0.1')).status).toBe(201);
    const third = await claim(c.codes[2], '13700000003', '100.80.0.1');
    expect(third.status).toBe(429);
    expect(third.body.code).toBe('risk_limit_exceeded');
    expect(await usesOf(c.setId)).toBe(2);
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'phone', value: '13700000666' })).status).toBe(201);
    const black = await claim(c.codes[3], '13700000666', '100.80.0.9');
    expect(black.status).toBe(403);
    expect(black.body.code).toBe('risk_blacklisted');
    expect(await usesOf(c.setId)).toBe(2);
    expect(await grantsOf(c.setId)).toBe(2);
  });

  it('a claim refused after risk let it through (code used up) gives the risk count back', async () => {
    const c = await campaign(h, { stock: 10, codes: 2 });
    const admin = await h.admin('operator');
    await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: c.productId, name: '1 per IP', kind: 'limit', action: 'deny', dimension: 'ip', max: 1, window_seconds: 3600 });
    expect((await claim(c.codes[0], '13700000011', '100.81.0.2')).status).toBe(201);
    // the used single-use code again from another address: refused by the code, and that address's count comes back
    expect((await claim(c.codes[0], '13700000012', '100.81.0.1')).body.code).toBe('redemption_code_exhausted');
    expect((await claim(c.codes[1], '13700000012', '100.81.0.1')).status).toBe(201);
  });

  it('review: 202 in_review, nothing used; approval issues the grant through a job; rejection issues nothing', async () => {
    const c = await campaign(h, { stock: 10, codes: 3 });
    const admin = await h.admin('operator');
    await admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: c.productId, name: 'second per IP reviewed', kind: 'limit', action: 'review', dimension: 'ip', max: 1, window_seconds: 3600 });
    expect((await claim(c.codes[0], '13700000021', '100.82.0.1')).status).toBe(201);
    const held = await claim(c.codes[1], '13700000022', '100.82.0.1');
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.status).toBe('in_review');
    expect(await usesOf(c.setId)).toBe(1);
    const item = (await admin.request('GET', `/v1/admin/risk/reviews/${held.body.review_id}`)).body;
    // neither the code nor the phone can be read in the review
    expect(JSON.stringify(item)).not.toContain(c.codes[1]);
    expect(JSON.stringify(item)).not.toContain('13700000022');
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${item.id}/approve`, { reason: 'known' })).status).toBe(200);
    const job = await h.ctx.db.selectFrom('jobs').select('payload').where('kind', '=', APPROVED_JOB).where('dedupe_key', '=', item.id).executeTakeFirstOrThrow();
    expect(await jobDefinition(APPROVED_JOB)!.handler(inlineRun(h, APPROVED_JOB, job.payload as Record<string, unknown>))).toMatchObject({ grant_id: expect.stringMatching(/^grt_/) });
    expect(await usesOf(c.setId)).toBe(2);
    expect(await grantsOf(c.setId)).toBe(2);

    const again = await claim(c.codes[2], '13700000023', '100.82.0.1');
    expect(again.status).toBe(202);
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${again.body.review_id}/reject`, { reason: 'farm' })).status).toBe(200);
    expect(await usesOf(c.setId)).toBe(2);
    expect(await grantsOf(c.setId)).toBe(2);
  });

  it('the signed API is assessed too: on the recipient, and on the IP, device and facts the client system sends', async () => {
    const c = await campaign(h, { stock: 10, codes: 8 });
    const admin = await h.admin('operator');
    const rule = (body: Record<string, unknown>) => admin.request('POST', '/v1/admin/risk/rules', { scope_type: 'product', scope_id: c.productId, ...body });
    expect((await rule({ name: '1 per user', kind: 'limit', action: 'deny', dimension: 'external_id', max: 1, window_seconds: 3600 })).status).toBe(201);
    expect((await rule({ name: 'verified phones only', kind: 'threshold', action: 'review', fact: 'phone_verified', op: 'eq', value: true })).status).toBe(201);
    expect((await admin.request('POST', '/v1/admin/risk/blacklist', { kind: 'ip', value: '203.0.113.0/24' })).status).toBe(201);
    const signed = (code: string, recipient: Record<string, unknown>, risk?: Record<string, unknown>) =>
      c.client.request('POST', '/v1/redemption-codes/claim', { code, recipient, ...(risk ? { risk } : {}) }, { idempotencyKey: idem() });
    const verified = { facts: { phone_verified: true } };

    expect((await signed(c.codes[0], { external_id: 'api-u1' }, verified)).status).toBe(201);
    // the same user again: the external_id limit refuses before a use is taken
    const again = await signed(c.codes[1], { external_id: 'api-u1' }, verified);
    expect([again.status, again.body.code]).toEqual([429, 'risk_limit_exceeded']);
    // the user's IP as the client system saw it, in a blacklisted range
    const black = await signed(c.codes[1], { external_id: 'api-u2' }, { ip: '203.0.113.7', ...verified });
    expect([black.status, black.body.code]).toEqual([403, 'risk_blacklisted']);
    // without the fact the threshold wants: held for an operator
    const held = await signed(c.codes[1], { external_id: 'api-u3' });
    expect(held.status, JSON.stringify(held.body)).toBe(202);
    expect(held.body.status).toBe('in_review');
    expect(await usesOf(c.setId)).toBe(1);
    expect(await grantsOf(c.setId)).toBe(1);

    // bad facts are a 400 that changes nothing
    const bad = await signed(c.codes[2], { external_id: 'api-u4' }, { ip: 'not-an-ip', facts: { phone_verified: true } });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
    const unknownFact = await signed(c.codes[2], { external_id: 'api-u4' }, { facts: { vip: true } });
    expect(unknownFact.status).toBe(400);
    expect(await usesOf(c.setId)).toBe(1);

    // approved, the held claim is issued under the caller's Idempotency-Key
    expect((await admin.request('POST', `/v1/admin/risk/reviews/${held.body.review_id}/approve`, { reason: 'checked by phone' })).status).toBe(200);
    const job = await h.ctx.db.selectFrom('jobs').select('payload').where('kind', '=', APPROVED_JOB).where('dedupe_key', '=', held.body.review_id).executeTakeFirstOrThrow();
    expect(await jobDefinition(APPROVED_JOB)!.handler(inlineRun(h, APPROVED_JOB, job.payload as Record<string, unknown>))).toMatchObject({ grant_id: expect.stringMatching(/^grt_/) });
    expect(await usesOf(c.setId)).toBe(2);
    expect(await grantsOf(c.setId)).toBe(2);
  });
});
