import { esc, type H5Page, type PageBrand } from '../h5/index.ts';
import type { RedeemView } from './redeem.service.ts';

// The redeem page /r/:token on the H5 shell (modules/h5, docs/h5.md). Everything the holder should know
// BEFORE the tap is rendered here, on the server, so the first screen is complete without waiting for the API:
// what it is and who sends it (the brand), what the period means, how to use it on the platform, and that the
// tap claims it. The page script (h5/assets/redeem.js) then checks the state with the API, reveals, copies
// and polls. Never in the HTML: the token (the script reads it from the URL) or any code.

const UNITS: Record<string, string> = { day: '天', week: '周', month: '个月', quarter: '季度', year: '年' };

/** how to use a code on each platform, shown before the tap */
const PLATFORMS: Record<string, { name: string; steps: string[] }> = {
  iqiyi: { name: '爱奇艺', steps: ['打开爱奇艺 App，进入「我的」', '点击「激活码兑换」（或「VIP会员」→「兑换」）', '粘贴卡密，确认兑换'] },
  tencent_video: { name: '腾讯视频', steps: ['打开腾讯视频 App，进入「个人中心」', '点击「兑换VIP」', '输入卡密，确认兑换'] },
  youku: { name: '优酷', steps: ['打开优酷 App，进入「我的」', '点击「兑换码」', '输入卡密，确认兑换'] },
  mango_tv: { name: '芒果TV', steps: ['打开芒果TV App，进入「我的」', '点击「兑换中心」', '输入卡密，确认兑换'] },
  bilibili: { name: '哔哩哔哩', steps: ['打开哔哩哔哩 App，进入「我的」→「大会员」', '点击「兑换」', '输入兑换码，确认兑换'] },
};

const shanghai = (iso: string) => new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).replace(/\//g, '-');

function periodText(p: RedeemView['product']): string {
  const n = p.period ? `${p.period.count}${UNITS[p.period.unit] ?? p.period.unit}` : '';
  if (p.renewal) return `连续包月首期（到期自动续费，可随时取消）：兑换后开通首期${n}会员，到期后平台按其价格自动续费，可在平台 App 内随时取消自动续费。`;
  return `单次有效期，不自动续费：兑换后获得${n || '一期'}会员，到期自动结束。`;
}

function howto(platform: string): string {
  const info = PLATFORMS[platform];
  const steps = info ? info.steps : ['复制下方的卡密或兑换码', '在对应平台的兑换入口粘贴并确认'];
  return `<h2>${info ? `如何在${info.name}使用` : '如何使用'}</h2><ol>${steps.map((s) => `<li>${esc(s)}</li>`).join('')}</ol>`;
}

type PackItem = { product: { name: string } };

/** A bundle's or choice pack's first screen: what is in it (the page script then adds states and the pick). */
function packFirstScreen(v: RedeemView): { note: string; list: string } {
  const items = ((v.product.kind === 'choice_pack' && !v.picked ? v.options : v.components) ?? []) as PackItem[];
  const list = `<h2>${v.product.kind === 'bundle' ? `礼包内容（${items.length} 项）` : v.picked ? '已选权益' : `请选择 ${v.pick_count ?? 1} 项权益`}</h2><ul>${items.map((i) => `<li>${esc(i.product.name)}</li>`).join('')}</ul>`;
  const note = v.product.kind === 'bundle'
    ? `组合礼包：包含以下 ${items.length} 项权益，领取后分别到各平台使用。`
    : v.picked
      ? `自选权益包：已选择以下 ${items.length} 项权益，领取后分别到各平台使用。`
      : `自选权益包：从 ${items.length} 项中任选 ${v.pick_count ?? 1} 项，确认选择后不可更改。`;
  return { note, list };
}

export function redeemPage(brand: PageBrand, v: RedeemView | null): H5Page {
  const p = v?.product;
  const pack = p && (p.kind === 'bundle' || p.kind === 'choice_pack') ? packFirstScreen(v) : null;
  const card = p && p.kind !== 'direct_recharge' && !pack;
  const meta = p ? [p.period ? `${p.period.count}${UNITS[p.period.unit] ?? p.period.unit}` : null, p.renewal ? '连续包月首期' : '单次有效期', v.expires_at ? `领取截止 ${shanghai(v.expires_at)}` : null].filter(Boolean).join(' · ') : '';
  const taken = v?.status === 'redeemed';
  const body = `<section class="card" id="info"><h1 id="name">${p ? esc(p.name) : '加载中…'}</h1><div class="muted" id="meta">${esc(meta)}</div>
<div class="note" id="period"${p ? '' : ' hidden'}>${pack ? esc(pack.note) : p ? esc(periodText(p)) : ''}</div><div id="status">${taken && card ? '<span class="badge">已领取</span>' : ''}</div></section>
<section class="card" id="howto"${card ? '' : ' hidden'}>${card ? howto(p.platform) : ''}</section>
<section class="card warn" id="warning"${card && !taken ? '' : ' hidden'}><b>首次查看即视为领取</b><br>点击下方按钮后将显示卡密，本权益即视为已领取，不能撤回、转赠或退回。请确认已准备好使用。</section>
<button class="btn" id="reveal" type="button"${card ? '' : ' hidden'}>${taken ? '再次查看卡密' : '立即领取'}</button>
<section class="card" id="pack"${pack ? '' : ' hidden'}>${pack ? pack.list : ''}</section>
<section class="card" id="result" hidden></section>
<section class="card" id="recharge" hidden><h2>直充到账号</h2><div id="recharge-state" class="note"></div><div id="account" class="muted"></div></section>`;
  return { title: p ? `${p.name} · 领取权益` : '领取权益', brand, body, scripts: ['account', 'pack', 'redeem'] } // hooks first: redeem.js calls them;
}
