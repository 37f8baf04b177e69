import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { makeCampaign, provenPhoneHeaders } from './claim.testkit.ts';

// The campaign page /c/:slug: what the operator typed is text, never markup; a verified visitor's phone
// appears only masked; the page runs under the shell's nonce CSP and is never cached.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h?.close());

describe('campaign page', () => {
  it('escapes the operator\'s text, shows the phone only masked, and sends the nonce CSP', async () => {
    const { admin, campaign } = await makeCampaign(h);
    const evil = '<img src=x onerror=alert(1)>"\'';
    expect((await admin.request('PATCH', `/v1/admin/campaigns/${campaign.id}`, { name: evil, instructions: `</section><script>alert(2)</script>` })).status).toBe(200);
    const res = await fetch(`${h.url}/c/${campaign.slug}`, { headers: provenPhoneHeaders(h.ctx, '13912345678') });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;');
    expect(html).toContain('139****5678');
    expect(html).not.toContain('13912345678');
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'; style-src 'nonce-/);
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('a draft is not shown (the page renders the default shell and no campaign data)', async () => {
    const { campaign } = await makeCampaign(h, { activate: false });
    const html = await (await fetch(`${h.url}/c/${campaign.slug}`)).text();
    expect(html).not.toContain('追剧宅家礼包');
    expect(html).toContain('加载中');
  });
});
