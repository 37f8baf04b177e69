import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.ts';
import type { CampaignClaimsTable, CampaignsTable } from '../../platform/db/schema.ts';
import { campaignMachine, claimMachine, type CampaignEvent, type ClaimEvent } from './campaigns.machine.ts';

// SQL for this module's tables only (campaigns, campaign_claimants, campaign_claims; migration 026).
// Counters move only here, each by one conditional statement (DESIGN §3.1); statuses only through the
// machines' sources.
export type CampaignRow = Selectable<CampaignsTable>;
export type ClaimRow = Selectable<CampaignClaimsTable>;

/** the one status in which a campaign gives out grants (not a move: the guard of the budget counter) */
export const CLAIMABLE_STATUS = 'active' as const;

export async function insertCampaign(db: Executor, row: Insertable<CampaignsTable>) {
  await db.insertInto('campaigns').values(row).execute();
}

export async function getCampaign(db: Executor, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function campaignBySlug(db: Executor, slug: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function listCampaigns(db: Executor, q: { limit: number; cursor?: string; status?: string }): Promise<CampaignRow[]> {
  let query = db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.cursor) query = query.where('id', '<', q.cursor);
  if (q.status) query = query.where('status', '=', q.status as CampaignRow['status']);
  return query.execute();
}

export type CampaignPatch = Partial<Pick<CampaignRow, 'name' | 'budget' | 'per_person_limit' | 'starts_at' | 'ends_at' | 'description' | 'instructions'>>;

/**
 * Edits a campaign that has not ended. A new budget applies only when it is not below what is already used,
 * in the same statement (a claim in flight cannot slip between a check and the write). Undefined when
 * nothing matched: the caller says why.
 */
export async function patchCampaign(db: Executor, id: string, patch: CampaignPatch): Promise<CampaignRow | undefined> {
  let q = db
    .updateTable('campaigns')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', '!=', 'ended');
  if (patch.budget !== undefined) q = q.where('used', '<=', patch.budget);
  return q.returningAll().executeTakeFirst();
}

/** Moves a campaign by `event` when its status allows; undefined when it did not move. */
export async function moveCampaign(db: Executor, id: string, event: CampaignEvent): Promise<CampaignRow | undefined> {
  return db
    .updateTable('campaigns')
    .set({ status: campaignMachine.targetOf(event), updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', campaignMachine.sourcesOf(event))
    .returningAll()
    .executeTakeFirst();
}

/**
 * One more live claim for this phone in this campaign, when under the campaign's per-person limit: a
 * conditional upsert, so concurrent claims by one phone (in any number of processes) never pass the limit.
 * Answers the live count and the claim's number (`attempts`, never reused), or null at the limit.
 */
export async function takeClaimant(db: Executor, campaignId: string, phoneFingerprint: Buffer): Promise<{ n: number; attempts: number } | null> {
  const r = await sql<{ n: number; attempts: number }>`
    INSERT INTO campaign_claimants AS c (campaign_id, phone_fingerprint, n, attempts)
    VALUES (${campaignId}, ${phoneFingerprint}, 1, 1)
    ON CONFLICT (campaign_id, phone_fingerprint) DO UPDATE SET n = c.n + 1, attempts = c.attempts + 1
      WHERE c.n < (SELECT per_person_limit FROM campaigns WHERE id = c.campaign_id)
    RETURNING n, attempts`.execute(db);
  return r.rows[0] ?? null;
}

/** One grant of the budget, when the campaign is live, inside its window and not sold out; false otherwise. */
export async function takeBudget(db: Executor, campaignId: string): Promise<boolean> {
  const r = await sql<{ used: number }>`
    UPDATE campaigns SET used = used + 1
     WHERE id = ${campaignId} AND used < budget AND status = ${CLAIMABLE_STATUS}
       AND now() >= starts_at AND now() < ends_at
    RETURNING used`.execute(db);
  return r.rows.length > 0;
}

/** Gives back what a failed claim took (its budget unit and its per-person count). */
export async function giveBack(db: Executor, campaignId: string, phoneFingerprint: Buffer): Promise<void> {
  await sql`UPDATE campaigns SET used = used - 1 WHERE id = ${campaignId} AND used > 0`.execute(db);
  await sql`UPDATE campaign_claimants SET n = n - 1 WHERE campaign_id = ${campaignId} AND phone_fingerprint = ${phoneFingerprint} AND n > 0`.execute(db);
}

export async function insertClaim(db: Executor, row: Insertable<CampaignClaimsTable>) {
  await db.insertInto('campaign_claims').values(row).execute();
}

export async function getClaim(db: Executor, id: string): Promise<ClaimRow | undefined> {
  return db.selectFrom('campaign_claims').selectAll().where('id', '=', id).executeTakeFirst();
}

/** This phone's latest claim that is not failed (the grant a visitor over the limit is sent back to). */
export async function latestLiveClaim(db: Executor, campaignId: string, phoneFingerprint: Buffer): Promise<ClaimRow | undefined> {
  return db
    .selectFrom('campaign_claims')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('phone_fingerprint', '=', phoneFingerprint)
    .where('status', '!=', 'failed')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Moves a claim by `event` when its status allows; the moved row, or undefined (someone else finished it). */
export async function moveClaim(db: Executor, id: string, event: ClaimEvent, patch: { grant_id?: string; failure?: string } = {}): Promise<ClaimRow | undefined> {
  return db
    .updateTable('campaign_claims')
    .set({ status: claimMachine.targetOf(event), ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .where('status', 'in', claimMachine.sourcesOf(event))
    .returningAll()
    .executeTakeFirst();
}

/** Claims still pending after `olderThan` (the recovery job normally finishes them; this is for the console). */
export async function countPendingClaims(db: Executor, campaignId: string): Promise<number> {
  const r = await db.selectFrom('campaign_claims').select((eb) => eb.fn.countAll<string>().as('n')).where('campaign_id', '=', campaignId).where('status', '=', 'pending').executeTakeFirst();
  return Number(r?.n ?? 0);
}
