import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../platform/cli/output.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { runHarnessCli } from '../../testutil/harness-cli.ts';
import { verifyAudit } from '../audit/index.ts';

// The admin side of campaign links: create (draft or live), list with budget used and remaining, edit,
// pause / resume / end, the QR code of the link as PNG and SVG, the CLI printing the public URL; audited.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

async function setup() {
  const admin = await h.admin('operator');
  const client = await h.client();
  const product = await h.product();
  return { admin, client, product };
}
const window = () => ({ starts_at: new Date().toISOString(), ends_at: new Date(Date.now() + 86_400_000).toISOString() });

describe('campaigns (admin)', () => {
  it('creates a draft, lists it with budget used/remaining, edits it, moves it through its statuses; all audited', async () => {
    const { admin, client, product } = await setup();
    const r = await admin.request('POST', '/v1/admin/campaigns', { name: '开学季', client: client.id, product: product.id, budget: 100, ...window(), description: '新生福利' });
    expect(r.status).toBe(201);
    const c = r.body;
    expect(c).toMatchObject({ status: 'draft', budget: 100, used: 0, remaining: 100, per_person_limit: 1, public_url: `${h.url}/c/${c.slug}`, product_id: product.id, client_id: client.id });

    const list = await admin.request('GET', '/v1/admin/campaigns?status=draft');
    expect(list.body.data.map((x: { id: string }) => x.id)).toContain(c.id);
    const edited = await admin.request('PATCH', `/v1/admin/campaigns/${c.id}`, { budget: 80, per_person_limit: 2, instructions: '在 App 内兑换' });
    expect(edited.body).toMatchObject({ budget: 80, remaining: 80, per_person_limit: 2, instructions: '在 App 内兑换', description: '新生福利' });

    for (const [move, status] of [['activate', 'active'], ['pause', 'paused'], ['resume', 'active'], ['end', 'ended']] as const) {
      const m = await admin.request('POST', `/v1/admin/campaigns/${c.id}/${move}`);
      expect(m.status, move).toBe(200);
      expect(m.body.status).toBe(status);
    }
    const edit = await admin.request('PATCH', `/v1/admin/campaigns/${c.id}`, { name: 'late' });
    expect(edit.status).toBe(409);

    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor']).where('target', '=', c.id).orderBy('seq').execute();
    expect(audit.map((a) => a.action)).toEqual(['campaign.create', 'campaign.update', 'campaign.activate', 'campaign.pause', 'campaign.resume', 'campaign.end']);
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set([admin.id]));
    expect((await verifyAudit(h.ctx.db)).ok).toBe(true);
  });

  it('renders the link as a QR code, PNG and SVG', async () => {
    const { admin, client, product } = await setup();
    const c = (await admin.request('POST', '/v1/admin/campaigns', { name: 'QR', client: client.id, product: product.sku, budget: 5, ...window(), activate: true })).body;
    const png = await fetch(`${h.url}${c.qr_png_url}?size=256`, { headers: admin.headers });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(bytes.readUInt32BE(16)).toBe(256); // IHDR width
    const svg = await fetch(`${h.url}${c.qr_svg_url}`, { headers: admin.headers });
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect((await fetch(`${h.url}/v1/admin/campaigns/cmp_nope/qr.png`, { headers: admin.headers })).status).toBe(404);
    expect((await fetch(`${h.url}${c.qr_png_url}`)).status).toBe(401);
  });

  it('quanyi campaigns create --json prints the campaign with its public URL; list shows it', async () => {
    const { client, product } = await setup();
    const r = await runHarnessCli(h, 'campaigns', 'create', '--name', 'CLI 活动', '--client', client.id, '--product', product.sku, '--budget', '20', '--ends-at', new Date(Date.now() + 86_400_000).toISOString(), '--activate', '--json');
    expect(r.code).toBe(EXIT.ok);
    expect(r.json).toMatchObject({ name: 'CLI 活动', status: 'active', budget: 20, public_url: `${h.url}/c/${r.json.slug}` });
    const bad = await runHarnessCli(h, 'campaigns', 'create', '--name', 'x', '--client', client.id, '--product', product.sku, '--budget', '0', '--ends-at', 'tomorrow', '--json');
    expect(bad.code).toBe(EXIT.invalid);
    const list = await runHarnessCli(h, 'campaigns', 'list', '--json');
    expect(list.json.map((c: { id: string }) => c.id)).toContain(r.json.id);
    const ended = await runHarnessCli(h, 'campaigns', 'end', r.json.id, '--json');
    expect(ended.json.status).toBe('ended');
  });
});
