import type { H5Page, PageBrand } from '../h5/index.ts';

// The redeem page /r/:token on the H5 shell (modules/h5, docs/h5.md): what it is and who sends it, what the
// period means, how to use it on the platform and the warning that the tap claims it — all before the tap;
// then the code with copy buttons and its own expiry. The markup is static: the token stays in the URL and
// the page script (h5/assets/redeem.js) reads it; the server never writes a token or a code into the HTML.
const BODY = `<section class="card" id="info"><h1 id="name">加载中…</h1><div class="muted" id="meta"></div>
<div class="note" id="period" hidden></div><div id="status"></div></section>
<section class="card" id="howto" hidden></section>
<section class="card warn" id="warning" hidden><b>首次查看即视为领取</b><br>点击下方按钮后将显示卡密，本权益即视为已领取，不能撤回、转赠或退回。请确认已准备好使用。</section>
<button class="btn" id="reveal" type="button" hidden>立即领取</button>
<section class="card" id="result" hidden></section>
<section class="card" id="recharge" hidden><h2>直充到账号</h2><div id="recharge-state" class="note"></div><div id="account" class="muted"></div></section>`;

export function redeemPage(brand: PageBrand): H5Page {
  return { title: '领取权益', brand, body: BODY, scripts: ['redeem'] };
}
