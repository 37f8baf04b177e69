import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { fail } from '../../platform/errors.ts';
import type { RateLimit } from '../../platform/http/rate-limit.ts';
import { campaignBySlug } from '../../modules/campaigns/index.ts';
import { findProduct } from '../../modules/catalog/index.ts';
import { brandFor, DEFAULT_BRAND, esc, phoneWidget, sendH5Page, type H5Page, type PageBrand } from '../../modules/h5/index.ts';
import { phoneProofFrom } from '../../modules/notify/index.ts';
import { refusalOf } from './claim.ts';

// The campaign page PUBLIC_URL/c/<slug> on the H5 shell (docs/h5.md, docs/campaigns.md). The first screen is
// rendered here: the brand (campaign's, else client's), what is given, the window, the instructions and
// whether it can still be claimed. The script (h5/assets/campaign.js) drives the phone widget (phone.js) and
// the claim, then sends the visitor to the grant's /r/<token> page.

export type CampaignState = 'open' | 'not_started' | 'paused' | 'sold_out' | 'ended';
const STATE_OF = { campaign_not_started: 'not_started', campaign_paused: 'paused', campaign_sold_out: 'sold_out', campaign_ended: 'ended' } as const;

export interface PublicCampaign {
  campaign_id: string;
  client_id: string;
  name: string;
  description: string;
  instructions: string;
  product: { name: string; platform: string; kind: string; period: unknown; renewal: boolean };
  starts_at: string;
  ends_at: string;
  per_person_limit: number;
  available: boolean;
  state: CampaignState;
}

/** What a campaign link shows (the public API and the page); 404 campaign_not_found for none or a draft. */
export async function publicCampaign(ctx: AppContext, slug: string): Promise<PublicCampaign> {
  const c = await campaignBySlug(ctx.db, slug);
  if (!c || c.status === 'draft') throw fail('campaign_not_found');
  const product = (await findProduct(ctx.db, c.product_id))!;
  const refusal = refusalOf(c);
  return {
    campaign_id: c.id,
    client_id: c.client_id,
    name: c.name,
    description: c.description,
    instructions: c.instructions,
    product: { name: product.name, platform: product.platform, kind: product.kind, period: product.period, renewal: product.renewal },
    starts_at: c.starts_at.toISOString(),
    ends_at: c.ends_at.toISOString(),
    per_person_limit: c.per_person_limit,
    available: c.used < c.budget,
    state: refusal ? STATE_OF[refusal.code as keyof typeof STATE_OF] : 'open',
  };
}

const UNITS: Record<string, string> = { day: '天', week: '周', month: '个月', quarter: '季度', year: '年' };
const shanghai = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).replace(/\//g, '-');

/** the message of each state but open: what the visitor sees instead of the claim */
export const STATE_TEXT: Record<Exclude<CampaignState, 'open'>, string> = {
  not_started: '活动尚未开始，请在活动开始后再来领取。',
  paused: '活动暂停中，请稍后再来看看。',
  sold_out: '本活动的权益已全部领完，感谢关注。',
  ended: '活动已结束，感谢关注。',
};

export function campaignPage(brand: PageBrand, c: PublicCampaign | null, verifiedAs: string | null): H5Page {
  if (!c) {
    // unknown, throttled or unreachable: the default look; the script asks the API and says which
    const body = `<section class="card" id="info"><h1 id="name">加载中…</h1><div id="state"></div></section>`;
    return { title: '活动领取', brand, body, scripts: ['campaign'] };
  }
  const p = c.product;
  const period = p.period as { unit: string; count: number } | null;
  const summary = [period ? `${period.count}${UNITS[period.unit] ?? period.unit}` : null, p.renewal ? '连续包月首期' : p.kind === 'direct_recharge' ? '直充到账号' : '单次有效期'].filter(Boolean).join(' · ');
  const open = c.state === 'open';
  const steps = c.instructions ? `<section class="card" id="howto"><h2>活动说明</h2><div class="muted" id="instructions">${esc(c.instructions).replace(/\n/g, '<br>')}</div></section>` : '';
  const body = `<section class="card" id="info"><h1 id="name">${esc(c.name)}</h1>
<div id="product"><b>${esc(p.name)}</b><div class="muted">${esc(summary)}</div></div>
${c.description ? `<p class="muted" id="description">${esc(c.description)}</p>` : ''}
<div class="note" id="window">活动时间：${esc(shanghai(c.starts_at))} 至 ${esc(shanghai(c.ends_at))}</div>
<div id="state" data-state="${c.state}">${c.state === 'open' ? '<span class="badge">可领取</span>' : `<p class="err">${esc(STATE_TEXT[c.state])}</p>`}</div></section>
${steps}
${open ? phoneWidget({ title: '验证手机号后领取', button: '验证手机号', verifiedAs }) : ''}
<section class="card warn" id="claim-box" hidden><div id="verified" class="muted"></div><b>领取须知</b><br>权益将发放到已验证的手机号（每个手机号限领 ${c.per_person_limit} 份），领取后不能撤回、转赠或退回。领取后请在有效期内完成兑换。</section>
<button class="btn" id="claim" type="button" hidden>立即领取</button>
<section class="card" id="result" hidden></section>`;
  return { title: `${c.name} · 活动领取`, brand, body, scripts: ['phone', 'campaign'] };
}

/** GET /c/:slug — renders even when the lookup is refused (default brand; the script reports the API's answer). */
export function campaignPageRoute(app: FastifyInstance, ctx: AppContext, views: RateLimit) {
  app.get('/c/:slug', { schema: { hide: true } }, async (req, reply) => {
    let brand: PageBrand = DEFAULT_BRAND;
    let view: PublicCampaign | null = null;
    try {
      await views.consume(req.ip, reply);
      view = await publicCampaign(ctx, String((req.params as { slug: string }).slug).slice(0, 40));
      brand = await brandFor(ctx.db, { campaignId: view.campaign_id, clientId: view.client_id });
    } catch {
      // not found, throttled or the database away: the default look, the script says what happened
    }
    reply.removeHeader('retry-after');
    return sendH5Page(reply.status(200), campaignPage(brand, view, view ? (phoneProofFrom(ctx, req)?.masked ?? null) : null));
  });
}
