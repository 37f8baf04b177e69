import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppContext } from '../../compose.ts';
import type { AppContext } from '../../platform/context.ts';
import { openPostgres } from '../../platform/db/db.ts';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { createHarness, TEST_MASTER_KEY, type Harness } from '../../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../../testutil/database.ts';
import { claimCampaign } from './index.ts';
import { countersOf, makeCampaign, verified } from './claim.testkit.ts';

// Races need several connections: on the embedded database (one connection, every transaction queued) they
// could not fail, so these run on PostgreSQL only (CI sets TEST_DATABASE_URL); campaign-claim.happy.test.ts
// runs a smaller budget race on the embedded database.
describe.skipIf(!onRealPostgres)(`campaign counters under concurrency ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  let other: AppContext;
  beforeAll(async () => {
    h = await createHarness();
    // a second server process: its own context and connection pool on the same database
    other = await createAppContext(h.ctx.config, await openPostgres(h.testDb.url!, 8), new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]));
  });
  afterAll(async () => {
    await other?.close();
    await other?.database.close();
    await h?.close();
  });

  it('a budget of 50 gives exactly 50 grants under 500 concurrent claims by distinct phones', async () => {
    const { campaign } = await makeCampaign(h, { budget: 50, stock: 100 });
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => claimCampaign(i % 2 ? h.ctx : other, { slug: campaign.slug, phone: verified(h.ctx, `1360000${String(i).padStart(4, '0')}`), ip: '10.1.0.1' })),
    );
    const issued = results.filter((r) => r.outcome === 'issued');
    expect(issued).toHaveLength(50);
    expect(new Set(issued.map((r) => (r as { grant_id: string }).grant_id)).size).toBe(50);
    expect(new Set(results.filter((r) => r.outcome === 'refused').map((r) => (r as { code: string }).code))).toEqual(new Set(['campaign_sold_out']));
    const c = await countersOf(h, campaign.id);
    expect(c).toMatchObject({ used: 50, grants: 50 });
    expect(c.claims.filter((s) => s === 'issued')).toHaveLength(50);
    // refused claims left no per-person count behind
    expect(c.claimants).toHaveLength(50);
  }, 120_000);

  it('the per-person limit holds when one phone claims in two server processes at once', async () => {
    const { campaign } = await makeCampaign(h, { budget: 100, perPerson: 2 });
    const phone = verified(h.ctx, '13500000001');
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => claimCampaign(i % 2 ? h.ctx : other, { slug: campaign.slug, phone, ip: '10.1.0.2' })));
    const issued = results.filter((r) => r.outcome === 'issued');
    expect(issued).toHaveLength(2);
    const refused = results.filter((r) => r.outcome === 'refused') as { code: string; redeem_url?: string | null }[];
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(['campaign_limit_reached']));
    expect(await countersOf(h, campaign.id)).toMatchObject({ used: 2, grants: 2, claimants: [{ n: 2, attempts: 2 }] });
  }, 60_000);
});
