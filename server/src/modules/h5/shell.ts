import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import { SERVER_ROOT } from '../../platform/paths.ts';
import type { PageBrand } from './brands.service.ts';

// The H5 shell (issue 7 §6): every end-user page is one server-rendered HTML document in this frame — brand
// header, the page's own markup, the customer-service footer — plus one shared script (h5.js) and the page's
// script, each a separate file named by its content hash (cached for a year, re-downloaded only when it
// changes). No framework: the budget is 50 KB of JavaScript per page and the first screen within 1.5 s on
// Slow 4G (measured in h5-budget.browser.test.ts). Scripts are ES5 with XHR so old WeChat / X5 webviews run
// them. CSP is nonce-based: no 'unsafe-inline' for scripts or styles. See docs/h5.md: how to add a page.

interface Asset {
  name: string;
  body: Buffer;
  url: string;
}

// the scripts are plain ES5 files served as they are, read from the sources also when the server runs compiled
const ASSET_DIR = path.join(SERVER_ROOT, 'src/modules/h5/assets');
const assets = new Map<string, Asset>(); // by url file name

/** A script of assets/ by its name (`redeem` → assets/redeem.js), loaded once, served at a hashed URL. */
export function h5Script(name: string): Asset {
  for (const a of assets.values()) if (a.name === name) return a;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad H5 script name ${name}`);
  const body = fs.readFileSync(path.join(ASSET_DIR, `${name}.js`));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const asset = { name, body, url: `/h5/assets/${name}.${hash}.js` };
  assets.set(`${name}.${hash}.js`, asset);
  return asset;
}

/** The asset a hashed file name points at (the route serves it), or undefined. */
export function assetByFile(file: string): Asset | undefined {
  return assets.get(file);
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML text and attribute values. Everything a page interpolates goes through this. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]);

const CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei",sans-serif;background:#f4f5f7;color:#1f2329;-webkit-text-size-adjust:100%}
.top{background:var(--brand);color:var(--brand-text);padding:14px 16px;display:flex;align-items:center}
.top img{height:28px;max-width:120px;margin-right:10px;border-radius:4px;background:#fff}
.top b{font-size:16px}
main{max-width:480px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:14px;padding:18px;box-shadow:0 1px 3px rgba(0,0,0,.06);margin-bottom:14px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}
.muted{color:#646a73;font-size:14px}
.note{font-size:14px;background:#f7f8fa;border-radius:8px;padding:8px 10px;margin-top:10px}
.warn{border:1px solid #ffd591;background:#fff7e6;color:#874d00;font-size:14px}
.badge{display:inline-block;font-size:12px;padding:2px 8px;border-radius:10px;background:#e8f3ff;color:var(--brand);margin-top:8px}
.btn{display:block;width:100%;border:0;border-radius:10px;padding:14px;font-size:17px;background:var(--brand);color:var(--brand-text);margin:4px 0 14px;-webkit-appearance:none}
.btn:disabled{opacity:.55}
.secret{font:600 18px ui-monospace,Menlo,Consolas,monospace;word-break:break-all;background:#f4f5f7;border-radius:8px;padding:10px 12px;margin:6px 0;-webkit-user-select:all;user-select:all}
.copy{display:block;width:100%;background:#fff;color:var(--brand);border:1px solid var(--brand);border-radius:8px;padding:8px;font-size:15px;margin-bottom:10px}
.err{color:#d83931}
input{display:block;width:100%;font-size:17px;padding:12px;border:1px solid #d0d3d6;border-radius:10px;margin:0 0 10px;-webkit-appearance:none}
.row{display:flex}.row input{flex:1;margin-right:8px}.row .copy{width:auto;flex:none;margin:0 0 10px;padding:8px 12px}
.hot{border:1px solid #ffa39e;background:#fff1f0}.unread{font-weight:600}.dot{display:inline-block;width:8px;height:8px;border-radius:4px;background:#f54a45;margin-right:6px}
.list a{color:var(--brand)}
.card{word-wrap:break-word;overflow-wrap:anywhere}
.opt{display:block;width:100%;text-align:left;background:#fff;color:inherit;font:inherit;border:1px solid #dee0e3;border-radius:10px;padding:12px;margin-bottom:8px}
.opt.on{border-color:var(--brand);box-shadow:0 0 0 1px var(--brand)}.opt:disabled{opacity:.5}
.item{border-top:1px solid #eff0f1;padding:10px 0}.item .secrets{margin-top:8px}
.field input{display:block;width:100%;font-size:17px;padding:12px;border:1px solid #dee0e3;border-radius:8px;margin:6px 0;-webkit-appearance:none}
ol,ul{margin:0;padding-left:20px}
footer{max-width:480px;margin:0 auto;padding:8px 16px 32px;color:#8f959e;font-size:13px;text-align:center}
footer a{color:inherit}
[hidden]{display:none!important}`;

export interface H5Page {
  /** the document title (a page script may change it) */
  title: string;
  brand: PageBrand;
  /** the page's markup: trusted HTML the page module built with esc() around every value */
  body: string;
  /** names of page scripts in assets/ (h5.js, the shared one, always comes first) */
  scripts: string[];
}

function contact(b: PageBrand): string {
  const parts: string[] = [];
  if (b.service_phone) parts.push(`客服电话 <a href="tel:${esc(b.service_phone.replace(/[^0-9+]/g, ''))}">${esc(b.service_phone)}</a>`);
  if (b.service_wechat) parts.push(`客服微信 ${esc(b.service_wechat)}`);
  if (b.service_url) parts.push(`<a href="${esc(b.service_url)}" rel="noopener noreferrer">在线客服</a>`);
  return parts.join(' · ');
}

/** Renders a page of the shell. `nonce` must be the one sent in the page's CSP header (h5Headers). */
export function renderH5Page(page: H5Page, nonce: string): string {
  const b = page.brand;
  const scripts = ['h5', ...page.scripts].map((n) => `<script nonce="${nonce}" src="${h5Script(n).url}" defer></script>`).join('');
  const logo = b.logo_url ? `<img src="${esc(b.logo_url)}" alt="">` : '';
  const service = contact(b);
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="robots" content="noindex"><meta name="format-detection" content="telephone=no">
<link rel="icon" href="data:,">
<title>${esc(page.title)}</title>
<style nonce="${nonce}">:root{--brand:${b.primary_color};--brand-text:${b.text_color}}
${CSS}</style></head>
<body><header class="top" id="brand">${logo}<b>${esc(b.name)}</b></header>
<main>${page.body}</main>
<footer id="service" data-service="${esc(service ? '1' : '')}">${service ? `<div id="contact">如有问题请联系 ${service}</div>` : ''}${b.footer ? `<div>${esc(b.footer)}</div>` : ''}</footer>
${scripts}</body></html>`;
}

/**
 * Sends a shell page: a fresh nonce per response, the CSP built on it, no caching (a page may be personal),
 * no referrer (the token in the URL must not leak to the logo's or the service link's host).
 */
export function sendH5Page(reply: FastifyReply, page: H5Page): FastifyReply {
  const nonce = randomBytes(16).toString('base64');
  return reply
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`)
    .type('text/html; charset=utf-8')
    .send(renderH5Page(page, nonce));
}
