import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres } from '../../testutil/database.ts';
import { finishClaim, runFinishClaimJob } from '../../flows/redemption/index.ts';
import { claimFailed, findCode, FINISH_CLAIM_JOB, normalisedOrTypo, reserveClaim } from './index.ts';
import { campaign, inlineRun } from './redemption.testkit.ts';

// The counters under races. On PostgreSQL: 500 concurrent claims of a 100-use code. On the embedded database
// (one connection: every transaction queued, so a race cannot lose there) a smaller run still checks the
// counts; CI's PostgreSQL pass runs the full size.
const CLAIMS = onRealPostgres ? 500 : 40;
const USES = onRealPostgres ? 100 : 10;

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_REDEEM_MISSES_PER_IP_PER_10MIN: '100000', QUANYI_REDEEM_PER_IP_PER_MINUTE: '100000' });
});
afterAll(() => h?.close());

async function grantsOf(setId: string) {
  const claims = await h.ctx.db.selectFrom('redemption_claims').select(['grant_id', 'status']).where('set_id', '=', setId).execute();
  return claims.filter((c) => c.status === 'succeeded').map((c) => c.grant_id!);
}

describe(`redemption counters under concurrency (${onRealPostgres ? 'PostgreSQL' : 'embedded: a smaller run; the full one on PostgreSQL'})`, () => {
  it(`${CLAIMS} concurrent claims of a ${USES}-use code give exactly ${USES} grants`, async () => {
    const c = await campaign(h, { stock: USES + 20, codes: 1, set: { max_redemptions: USES } });
    const results = await Promise.all(
      Array.from({ length: CLAIMS }, (_, i) => c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[0], recipient: { external_id: `u${i}` } }, { idempotencyKey: idem() })),
    );
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(USES);
    expect(new Set(results.filter((r) => r.status !== 201).map((r) => r.body.code))).toEqual(new Set(['redemption_code_exhausted']));
    expect(new Set(ok.map((r) => r.body.grant.id)).size).toBe(USES);
    expect(await grantsOf(c.setId)).toHaveLength(USES);
    const code = await h.ctx.db.selectFrom('redemption_codes').select('redeemed').where('set_id', '=', c.setId).executeTakeFirstOrThrow();
    expect(code.redeemed).toBe(USES);
    const grants = await h.ctx.db.selectFrom('grants').select('id').where('client_id', '=', c.client.id).execute();
    expect(grants).toHaveLength(USES);
  }, 120_000);

  it('the per-user limit holds when one user claims many times at once', async () => {
    const c = await campaign(h, { stock: 20, codes: 3, set: { max_redemptions: 50, per_user_limit: 2 } });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => c.client.request('POST', '/v1/redemption-codes/claim', { code: c.codes[i % 3], recipient: { external_id: 'greedy' } }, { idempotencyKey: idem() })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    expect(new Set(results.filter((r) => r.status !== 201).map((r) => r.body.code))).toEqual(new Set(['redemption_limit_reached']));
    const codes = await h.ctx.db.selectFrom('redemption_codes').select('redeemed').where('set_id', '=', c.setId).execute();
    expect(codes.reduce((s, x) => s + x.redeemed, 0)).toBe(2);
  }, 60_000);

  it('a claim that crashed between its counters and its grant is finished by the job, exactly once', async () => {
    const c = await campaign(h, { stock: 3, codes: 1, set: { max_redemptions: 5 } });
    // the request's first half only (the process "died" before issuing)
    const found = await findCode(h.ctx, normalisedOrTypo(c.codes[0]));
    const claim = await reserveClaim(h.ctx, { found, channel: 'h5', recipient: { phone: '13912345678' }, identity: 'phone:13912345678' });
    expect(claim.status).toBe('pending');
    const job = await h.ctx.db.selectFrom('jobs').select(['kind', 'dedupe_key', 'status']).where('dedupe_key', '=', claim.id).executeTakeFirstOrThrow();
    expect(job).toEqual({ kind: FINISH_CLAIM_JOB, dedupe_key: claim.id, status: 'queued' });
    // two workers (or a retry) run it at once, then once more
    const runs = await Promise.all([runFinishClaimJob(inlineRun(h, FINISH_CLAIM_JOB, { claim_id: claim.id })), runFinishClaimJob(inlineRun(h, FINISH_CLAIM_JOB, { claim_id: claim.id }))]);
    const last = await runFinishClaimJob(inlineRun(h, FINISH_CLAIM_JOB, { claim_id: claim.id }));
    expect(last).toEqual({ claim_id: claim.id, skipped: 'succeeded' });
    const grantIds = new Set(runs.map((r) => r.grant_id).filter(Boolean));
    expect(grantIds.size).toBe(1);
    const grants = await h.ctx.db.selectFrom('grants').select(['id', 'idempotency_key']).where('client_id', '=', c.client.id).execute();
    expect(grants).toEqual([{ id: [...grantIds][0], idempotency_key: claim.id }]);
    const after = await h.ctx.db.selectFrom('redemption_claims').select(['status', 'grant_id']).where('id', '=', claim.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'succeeded', grant_id: [...grantIds][0] });
    expect((await h.ctx.db.selectFrom('redemption_codes').select('redeemed').where('set_id', '=', c.setId).executeTakeFirstOrThrow()).redeemed).toBe(1);
  });

  it('a grant issued for a claim the other runner had already given back is voided, and the refusal stands', async () => {
    const c = await campaign(h, { stock: 1, codes: 1, set: { max_redemptions: 5 } });
    const found = await findCode(h.ctx, normalisedOrTypo(c.codes[0]));
    const claim = await reserveClaim(h.ctx, { found, channel: 'h5', recipient: { external_id: 'late' }, identity: 'ext:late' });
    // the recovery job was refused (out of stock) and gave the counters back; then stock came, and the request issues
    expect(await claimFailed(h.ctx, claim, 'out_of_stock')).toBe(true);
    await expect(finishClaim(h.ctx, claim)).rejects.toMatchObject({ code: 'out_of_stock' });
    const grants = await h.ctx.db.selectFrom('grants').select('status').where('client_id', '=', c.client.id).execute();
    expect(grants).toEqual([{ status: 'voided' }]);
    expect((await h.ctx.db.selectFrom('redemption_codes').select('redeemed').where('set_id', '=', c.setId).executeTakeFirstOrThrow()).redeemed).toBe(0);
    expect(await claimFailed(h.ctx, claim, 'out_of_stock')).toBe(false); // given back once only
  });
});
