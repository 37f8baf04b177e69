import { randomInt } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { AppError, fail, notFound, validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { clientNames } from '../clients/index.ts';
import { campaignMachine, type CampaignEvent } from './campaigns.machine.ts';
import { getCampaign, insertCampaign, listCampaigns, moveCampaign, patchCampaign, type CampaignPatch, type CampaignRow } from './campaigns.repo.ts';
import type { Campaign, CampaignCreate, CampaignUpdate } from './campaigns.schemas.ts';

// Campaigns: their settings and statuses. Every change is audited here, in the transaction that makes it.

// No look-alikes (0/o, 1/l/i): a slug read off a poster is typed right. 31^10 ≈ 8·10^14: not a secret (the
// phone check and the limits guard the budget), but not enumerable either.
const SLUG_ALPHABET = '23456789abcdefghjkmnpqrstuvwxyz';
export const SLUG_PATTERN = `^[${SLUG_ALPHABET}]{10}$`;
const newSlug = () => Array.from({ length: 10 }, () => SLUG_ALPHABET[randomInt(SLUG_ALPHABET.length)]).join('');

export const publicUrlOf = (ctx: AppContext, slug: string) => `${ctx.config.publicUrl}/c/${slug}`;

export function toCampaign(ctx: AppContext, r: CampaignRow): Campaign {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    client_id: r.client_id,
    product_id: r.product_id,
    budget: r.budget,
    used: r.used,
    remaining: Math.max(0, r.budget - r.used),
    per_person_limit: r.per_person_limit,
    starts_at: r.starts_at.toISOString(),
    ends_at: r.ends_at.toISOString(),
    status: r.status,
    description: r.description,
    instructions: r.instructions,
    public_url: publicUrlOf(ctx, r.slug),
    qr_png_url: `/v1/admin/campaigns/${r.id}/qr.png`,
    qr_svg_url: `/v1/admin/campaigns/${r.id}/qr.svg`,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

function windowOf(startsAt: string | Date, endsAt: string | Date, problems: FieldProblem[]) {
  const s = new Date(startsAt);
  const e = new Date(endsAt);
  if (Number.isNaN(s.getTime())) problems.push({ field: 'starts_at', message: 'must be a date-time' });
  if (Number.isNaN(e.getTime())) problems.push({ field: 'ends_at', message: 'must be a date-time' });
  else if (!(e.getTime() > s.getTime())) problems.push({ field: 'ends_at', message: 'must be after starts_at' });
  else if (!(e.getTime() > Date.now())) problems.push({ field: 'ends_at', message: 'must be in the future' });
  return { starts_at: s, ends_at: e };
}

export async function createCampaign(ctx: AppContext, input: CampaignCreate, actor: string): Promise<Campaign> {
  const problems: FieldProblem[] = [];
  const window = windowOf(input.starts_at, input.ends_at, problems);
  const product = await findProduct(ctx.db, input.product);
  if (!product) problems.push({ field: 'product', message: `no product with sku or id ${input.product}` });
  const clients = await clientNames(ctx.db, [input.client]);
  if (!clients.has(input.client)) problems.push({ field: 'client', message: `no client ${input.client}` });
  if (problems.length) throw validationFailed(problems);
  const id = newId('cmp');
  for (let attempt = 0; ; attempt++) {
    const slug = newSlug();
    try {
      await ctx.db.transaction().execute(async (tx) => {
        await insertCampaign(tx, {
          id,
          slug,
          name: input.name,
          client_id: input.client,
          product_id: product!.id,
          budget: input.budget,
          per_person_limit: input.per_person_limit ?? 1,
          ...window,
          status: input.activate ? campaignMachine.targetOf('activate') : 'draft',
          description: input.description ?? '',
          instructions: input.instructions ?? '',
          created_by: actor,
        });
        await appendAudit(tx, { actor, action: 'campaign.create', target: id, details: { name: input.name, client: input.client, product: product!.id, budget: input.budget, per_person_limit: input.per_person_limit ?? 1, starts_at: window.starts_at.toISOString(), ends_at: window.ends_at.toISOString(), active: Boolean(input.activate) } });
      });
      break;
    } catch (e) {
      // a slug taken already (about one in 10^14): draw another
      if ((e as { code?: string }).code === '23505' && attempt < 3) continue;
      throw e;
    }
  }
  return getCampaignView(ctx, id);
}

export async function getCampaignView(ctx: AppContext, id: string): Promise<Campaign> {
  const r = await getCampaign(ctx.db, id);
  if (!r) throw notFound('Campaign', id);
  return toCampaign(ctx, r);
}

export async function listCampaignViews(ctx: AppContext, q: { limit?: number; cursor?: string; status?: string }) {
  const limit = q.limit ?? 50;
  const rows = await listCampaigns(ctx.db, { limit: limit + 1, cursor: q.cursor, status: q.status });
  const data = rows.slice(0, limit).map((r) => toCampaign(ctx, r));
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}

export async function updateCampaign(ctx: AppContext, id: string, input: CampaignUpdate, actor: string): Promise<Campaign> {
  const current = await getCampaign(ctx.db, id);
  if (!current) throw notFound('Campaign', id);
  const problems: FieldProblem[] = [];
  const patch: CampaignPatch = { ...input, starts_at: undefined, ends_at: undefined };
  if (input.starts_at !== undefined || input.ends_at !== undefined) {
    Object.assign(patch, windowOf(input.starts_at ?? current.starts_at, input.ends_at ?? current.ends_at, problems));
  }
  if (problems.length) throw validationFailed(problems);
  for (const k of Object.keys(patch) as (keyof CampaignPatch)[]) if (patch[k] === undefined) delete patch[k];
  return ctx.db.transaction().execute(async (tx) => {
    const row = await patchCampaign(tx, id, patch);
    if (!row) {
      const now = (await getCampaign(tx, id))!;
      if (now.status === 'ended') throw fail('campaign_transition', `Campaign ${id} has ended; it cannot change.`);
      throw fail('campaign_budget_below_used', `Campaign ${id} has given ${now.used} grants already; the budget cannot be ${input.budget}.`, { used: now.used });
    }
    await appendAudit(tx, { actor, action: 'campaign.update', target: id, details: { changed: Object.keys(patch) } });
    return toCampaign(ctx, row);
  });
}

export async function transitionCampaign(ctx: AppContext, id: string, event: CampaignEvent, actor: string): Promise<Campaign> {
  return ctx.db.transaction().execute(async (tx) => {
    const row = await moveCampaign(tx, id, event);
    if (!row) {
      const now = await getCampaign(tx, id);
      if (!now) throw notFound('Campaign', id);
      throw new AppError(409, 'campaign_transition', 'Conflict', `Campaign ${id} is ${now.status}; "${event}" applies to ${campaignMachine.sourcesOf(event).join(', ')}.`);
    }
    await appendAudit(tx, { actor, action: `campaign.${event}`, target: id, details: { status: row.status } });
    return toCampaign(ctx, row);
  });
}
