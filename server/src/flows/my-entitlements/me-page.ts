import { esc, phoneWidget, type H5Page, type PageBrand } from '../../modules/h5/index.ts';

// The 我的权益 page /me on the H5 shell. A phone's grants may come from several clients and campaigns, so the
// page is drawn in the platform's default brand. First screen: the heading and the phone widget (or, with a
// valid proof cookie, the list's place); h5/assets/me.js fetches GET /v1/public/me and draws the list.
export function myPage(brand: PageBrand, verifiedAs: string | null): H5Page {
  const body = `<section class="card" id="info"><h1 id="name">我的权益</h1><div class="muted" id="who">${verifiedAs ? `手机号 ${esc(verifiedAs)}` : '验证手机号后查看发放给您的全部权益'}</div></section>
${phoneWidget({ title: '验证手机号', button: '查看我的权益', verifiedAs })}
<div id="status"></div>
<section id="grants" class="list" hidden></section>
<button class="copy" id="more" type="button" hidden>加载更多</button>
<section class="card" id="messages" hidden><h2>站内信</h2><div id="message-list"></div></section>
<button class="copy" id="logout" type="button" hidden>退出（换个手机号）</button>`;
  return { title: '我的权益', brand, body, scripts: ['phone', 'me'] };
}
