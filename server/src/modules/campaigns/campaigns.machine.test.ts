import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { campaignMachine, claimMachine, type CampaignEvent, type ClaimEvent } from './campaigns.machine.ts';
import { createCampaign, transitionCampaign } from './campaigns.service.ts';
import { getCampaign, insertClaim, moveClaim } from './campaigns.repo.ts';

// The campaign and claim machines against the real database: random event sequences leave the row exactly
// where the machine says, and a refused move changes nothing.
let h: Harness;
let client: string;
let product: string;
beforeAll(async () => {
  h = await createHarness();
  client = (await h.client()).id;
  product = (await h.product()).id;
});
afterAll(() => h?.close());

const newCampaign = () =>
  createCampaign(h.ctx, { name: 'm', client, product, budget: 1, starts_at: new Date().toISOString(), ends_at: new Date(Date.now() + 3_600_000).toISOString() }, 'test');

describe('campaign machine', () => {
  it('declares the lifecycle: draft → active ⇄ paused → ended, ended final', () => {
    expect(campaignMachine.finalStates()).toEqual(['ended']);
    expect(campaignMachine.sourcesOf('end').sort()).toEqual(['active', 'draft', 'paused']);
    expect(claimMachine.finalStates().sort()).toEqual(['failed', 'issued']);
  });

  it('status always equals the model under random activate / pause / resume / end sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<CampaignEvent>('activate', 'pause', 'resume', 'end'), { minLength: 1, maxLength: 8 }), async (events) => {
        const c = await newCampaign();
        let model = campaignMachine.states[0];
        expect(c.status).toBe(model);
        for (const e of events) {
          const to = campaignMachine.next(model, e);
          if (to) {
            expect((await transitionCampaign(h.ctx, c.id, e, 'test')).status).toBe(to);
            model = to;
          } else {
            const err = await transitionCampaign(h.ctx, c.id, e, 'test').catch((x: AppError) => x);
            expect(err).toBeInstanceOf(AppError);
            expect((err as AppError).code).toBe('campaign_transition');
          }
          expect((await getCampaign(h.ctx.db, c.id))!.status).toBe(model);
        }
      }),
      { numRuns: 10 },
    );
  });

  it('claims move only pending → issued | failed, once', async () => {
    const c = await newCampaign();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<ClaimEvent>('issue', 'fail'), { minLength: 1, maxLength: 5 }), async (events) => {
        const id = `ccl_m${Math.random().toString(36).slice(2)}`;
        const fp = Buffer.from(id);
        await insertClaim(h.ctx.db, { id, campaign_id: c.id, phone_fingerprint: fp, seq: 1, phone_sealed: Buffer.alloc(1), phone_masked: '1****1' });
        let model = claimMachine.states[0];
        for (const e of events) {
          const to = claimMachine.next(model, e);
          const moved = await moveClaim(h.ctx.db, id, e, e === 'issue' ? { grant_id: 'grt_x' } : { failure: 'out_of_stock' });
          expect(Boolean(moved)).toBe(Boolean(to));
          if (to) model = to;
        }
        const row = await h.ctx.db.selectFrom('campaign_claims').select('status').where('id', '=', id).executeTakeFirstOrThrow();
        expect(row.status).toBe(model);
      }),
      { numRuns: 20 },
    );
  });
});
