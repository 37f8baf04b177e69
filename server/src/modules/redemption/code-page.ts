import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { brandFor, esc, sendH5Page, type H5Page, type PageBrand } from '../h5/index.ts';
import { CHARSET, MAX_CODE, MIN_RANDOM } from './redemption.code.ts';

// The public redemption-code page (兑换码兑换) on the H5 shell: `/x`, or `/x/<code>` prefilled from a QR code.
// The script (h5/assets/code.js) normalises what is typed and checks the check character in the browser, so a
// typo is told at once without a request (and never spends the guessing budget); then it claims through
// POST /v1/public/redemption/claim and opens the grant's redeem link. The code is never written into the
// HTML (the script reads it from the URL), and the page looks no code up. Its brand is the one the link names
// (`/x?brand=brd_…`, from the client's app or campaign material), else the default.

/** The code alphabet and lengths the script checks against: one source, the server's (redemption.code.ts). */
const RULES = JSON.stringify({ charset: CHARSET, min: MIN_RANDOM + 1, max: MAX_CODE });

export function codePage(brand: PageBrand): H5Page {
  const body = `<section class="card" id="info"><h1 id="name">兑换码兑换</h1><div class="muted" id="meta">输入兑换码领取权益</div>
<form id="form" class="field" action="#" data-rules="${esc(RULES)}"><label class="muted" for="code">兑换码</label>
<input id="code" name="code" type="text" autocomplete="off" autocapitalize="characters" autocorrect="off" spellcheck="false" maxlength="64" placeholder="例如 ABCD-EFGH-JKMN-P">
<p class="err" id="code-error" hidden></p>
<button class="btn" id="claim" type="submit">立即兑换</button></form>
<div class="note">兑换码不区分大小写，空格和短横线可忽略。每个兑换码的可兑换次数有限，兑换后请尽快领取。</div><div id="status"></div></section>`;
  return { title: '兑换码兑换', brand, body, scripts: ['code'] };
}

const BrandQuery = Type.Object({ brand: Type.Optional(Type.String({ maxLength: 80 })) });

export async function codePageRoutes(app: FastifyInstance, ctx: AppContext) {
  // one page for both: /x/<code> only prefills the input (the script reads the code from the path)
  const page = async (req: { query: unknown }, reply: Parameters<typeof sendH5Page>[0]) =>
    sendH5Page(reply, codePage(await brandFor(ctx.db, { brandId: (req.query as { brand?: string }).brand })));
  app.get('/x', { schema: { hide: true, querystring: BrandQuery } }, page);
  app.get('/x/:code', { schema: { hide: true, querystring: BrandQuery, params: Type.Object({ code: Type.String({ maxLength: 100 }) }) } }, page);
}
