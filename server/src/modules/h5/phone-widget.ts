import { esc } from './shell.ts';

// The phone verification widget of the H5 pages that need a proven phone (the campaign page /c/:slug and
// 我的权益 /me): phone → 获取验证码 (60 s countdown) → code → verify, against notify's public phone-code API.
// The markup is rendered with the page (first screen); assets/phone.js drives it: a page adds 'phone' to its
// scripts and calls H5.phone({purpose, onVerified}). `verifiedAs` (the masked phone of a valid proof cookie)
// renders it as already done, so a returning visitor within the cookie's 30 minutes skips the SMS.
export function phoneWidget(opts: { title: string; button: string; verifiedAs?: string | null }): string {
  const done = opts.verifiedAs ?? '';
  return `<section class="card" id="verify"${done ? ' hidden' : ''} data-verified="${esc(done)}"><h2>${esc(opts.title)}</h2>
<input id="phone" type="tel" inputmode="numeric" maxlength="11" autocomplete="tel" placeholder="请输入手机号" aria-label="手机号">
<div class="row"><input id="sms-code" inputmode="numeric" maxlength="6" autocomplete="one-time-code" placeholder="短信验证码" aria-label="短信验证码"><button class="copy" id="send-code" type="button">获取验证码</button></div>
<div id="verify-msg" class="muted"></div>
<button class="btn" id="verify-btn" type="button">${esc(opts.button)}</button></section>`;
}
