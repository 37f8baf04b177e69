import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';
import { AppError, fail, notFound, validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { appendAudit } from '../audit/index.ts';
import { clientNames } from '../clients/index.ts';

// Brands of the H5 pages (issue 7 §6): per client or per campaign. Validation happens here, at the one place
// that writes, so the CLI, the console and any flow get the same answers; every change is audited in the
// same transaction.

export const LOGO_MAX_BYTES = 100 * 1024;

export interface BrandInput {
  name?: string;
  client_id?: string | null;
  campaign_id?: string | null;
  primary_color?: string;
  text_color?: string;
  service_phone?: string | null;
  service_wechat?: string | null;
  service_url?: string | null;
  footer?: string | null;
}

export interface BrandView {
  id: string;
  client_id: string | null;
  campaign_id: string | null;
  name: string;
  primary_color: string;
  text_color: string;
  service_phone: string | null;
  service_wechat: string | null;
  service_url: string | null;
  footer: string | null;
  logo_url: string | null;
  created_at: string;
  updated_at: string;
}

/** What a page needs to draw a brand (the default when nobody configured one). */
export interface PageBrand {
  name: string;
  primary_color: string;
  text_color: string;
  logo_url: string | null;
  service_phone: string | null;
  service_wechat: string | null;
  service_url: string | null;
  footer: string | null;
}

export const DEFAULT_BRAND: PageBrand = {
  name: '权益中心',
  primary_color: '#1664ff',
  text_color: '#ffffff',
  logo_url: null,
  service_phone: null,
  service_wechat: null,
  service_url: null,
  footer: null,
};

const COLUMNS = ['id', 'client_id', 'campaign_id', 'name', 'primary_color', 'text_color', 'service_phone', 'service_wechat', 'service_url', 'footer', 'logo_type', 'logo_sha256', 'created_at', 'updated_at'] as const;
type Row = { id: string; client_id: string | null; campaign_id: string | null; name: string; primary_color: string; text_color: string; service_phone: string | null; service_wechat: string | null; service_url: string | null; footer: string | null; logo_type: string | null; logo_sha256: string | null; created_at: Date; updated_at: Date };

export const logoUrl = (sha: string | null, type: string | null) => (sha ? `/h5/logos/${sha}.${type === 'image/jpeg' ? 'jpg' : 'png'}` : null);

function toView(r: Row): BrandView {
  return {
    id: r.id,
    client_id: r.client_id,
    campaign_id: r.campaign_id,
    name: r.name,
    primary_color: r.primary_color,
    text_color: r.text_color,
    service_phone: r.service_phone,
    service_wechat: r.service_wechat,
    service_url: r.service_url,
    footer: r.footer,
    logo_url: logoUrl(r.logo_sha256, r.logo_type),
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}

const HEX = /^#[0-9a-fA-F]{6}$/;
const PHONE = /^[0-9+\-() ]{3,30}$/;
// WeChat ids: 6–20 characters, a letter first, then letters, digits, _ and -
const WECHAT = /^[A-Za-z][-_A-Za-z0-9]{5,19}$/;
const OPAQUE_ID = /^[\x21-\x7e]{1,100}$/;

/** Checks every given field; returns the normalised values (colours lower-case, blanks as null). */
function validate(input: BrandInput, creating: boolean): BrandInput {
  const errors: FieldProblem[] = [];
  const out: BrandInput = {};
  const blank = (v: string | null | undefined) => (v === undefined ? undefined : v === null || v.trim() === '' ? null : v.trim());
  if (input.name !== undefined || creating) {
    const name = (input.name ?? '').trim();
    if (!name || name.length > 60) errors.push({ field: 'name', message: 'must be 1–60 characters' });
    out.name = name;
  }
  for (const f of ['client_id', 'campaign_id'] as const) {
    const v = blank(input[f]);
    if (v && !OPAQUE_ID.test(v)) errors.push({ field: f, message: 'must be 1–100 printable ASCII characters' });
    if (v !== undefined) out[f] = v;
  }
  if (out.client_id && out.campaign_id) errors.push({ field: 'campaign_id', message: 'a brand belongs to a client or to a campaign, not both' });
  for (const f of ['primary_color', 'text_color'] as const) {
    if (input[f] === undefined) continue;
    if (!HEX.test(input[f]!)) errors.push({ field: f, message: 'must be a hex colour like #1664ff' });
    out[f] = input[f]!.toLowerCase();
  }
  const phone = blank(input.service_phone);
  if (phone && !PHONE.test(phone)) errors.push({ field: 'service_phone', message: 'must be 3–30 digits, spaces, +, - or parentheses' });
  const wechat = blank(input.service_wechat);
  if (wechat && !WECHAT.test(wechat)) errors.push({ field: 'service_wechat', message: 'must be a WeChat id: 6–20 letters, digits, _ or -, starting with a letter' });
  const url = blank(input.service_url);
  if (url && (url.length > 300 || !/^https?:\/\/[^\s<>"]+$/.test(url) || !URL.canParse(url))) errors.push({ field: 'service_url', message: 'must be an http(s) URL of at most 300 characters' });
  const footer = blank(input.footer);
  if (footer && footer.length > 200) errors.push({ field: 'footer', message: 'must be at most 200 characters' });
  if (errors.length) throw validationFailed(errors);
  if (phone !== undefined) out.service_phone = phone;
  if (wechat !== undefined) out.service_wechat = wechat;
  if (url !== undefined) out.service_url = url;
  if (footer !== undefined) out.footer = footer;
  return out;
}

/** A brand for a client that does not exist would never be shown: say so instead of storing it. */
async function assertClient(db: Executor, clientId: string | null | undefined) {
  if (clientId && !(await clientNames(db, [clientId])).has(clientId)) throw validationFailed([{ field: 'client_id', message: `no client ${clientId}` }]);
}

function scopeTaken(e: unknown): never {
  if ((e as { code?: string }).code === '23505') throw fail('brand_scope_taken', 'Another brand already belongs to this client or campaign; edit that one.');
  throw e;
}

export async function listBrands(db: Executor, opts: { limit?: number; cursor?: string } = {}) {
  const limit = opts.limit ?? 50;
  let q = db.selectFrom('h5_brands').select(COLUMNS).orderBy('id', 'desc').limit(limit + 1);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  const rows = await q.execute();
  const data = rows.slice(0, limit).map(toView);
  return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
}

export async function getBrand(db: Executor, id: string): Promise<BrandView> {
  const r = await db.selectFrom('h5_brands').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('Brand', id);
  return toView(r);
}

export async function createBrand(tx: Tx, input: BrandInput, actor: string): Promise<BrandView> {
  const v = validate(input, true);
  await assertClient(tx, v.client_id);
  const id = newId('brd');
  const r = await tx
    .insertInto('h5_brands')
    .values({ id, name: v.name!, client_id: v.client_id ?? null, campaign_id: v.campaign_id ?? null, primary_color: v.primary_color, text_color: v.text_color, service_phone: v.service_phone ?? null, service_wechat: v.service_wechat ?? null, service_url: v.service_url ?? null, footer: v.footer ?? null, created_by: actor })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
    .catch(scopeTaken);
  await appendAudit(tx, { actor, action: 'brand.create', target: id, details: { ...v } });
  return toView(r);
}

export async function updateBrand(tx: Tx, id: string, input: BrandInput, actor: string): Promise<BrandView> {
  const v = validate(input, false);
  if (Object.keys(v).length === 0) return getBrand(tx, id);
  await assertClient(tx, v.client_id);
  const r = await tx.updateTable('h5_brands').set({ ...v, updated_at: sql`now()` }).where('id', '=', id).returning(COLUMNS).executeTakeFirst().catch(scopeTaken);
  if (!r) throw notFound('Brand', id);
  await appendAudit(tx, { actor, action: 'brand.update', target: id, details: { ...v } });
  return toView(r);
}

export async function deleteBrand(tx: Tx, id: string, actor: string): Promise<void> {
  const r = await tx.deleteFrom('h5_brands').where('id', '=', id).returning('name').executeTakeFirst();
  if (!r) throw notFound('Brand', id);
  await appendAudit(tx, { actor, action: 'brand.delete', target: id, details: { name: r.name } });
}

/** The image type by its first bytes (the declared type is not trusted): PNG or JPEG, else null. */
export function imageTypeOf(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Sets (bytes) or removes (null) a brand's logo. PNG or JPEG only, at most LOGO_MAX_BYTES. */
export async function setLogo(tx: Tx, id: string, bytes: Buffer | null, actor: string): Promise<BrandView> {
  let values: { logo: Buffer | null; logo_type: string | null; logo_sha256: string | null } = { logo: null, logo_type: null, logo_sha256: null };
  if (bytes) {
    if (bytes.length > LOGO_MAX_BYTES) throw new AppError(413, 'logo_too_large', 'Payload too large', `The logo is ${bytes.length} bytes; at most ${LOGO_MAX_BYTES} (100 KB) are accepted.`);
    const type = imageTypeOf(bytes);
    if (!type) throw fail('logo_invalid', 'The logo must be a PNG or JPEG image (SVG is not accepted: it can carry scripts).');
    values = { logo: bytes, logo_type: type, logo_sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  const r = await tx.updateTable('h5_brands').set({ ...values, updated_at: sql`now()` }).where('id', '=', id).returning(COLUMNS).executeTakeFirst();
  if (!r) throw notFound('Brand', id);
  await appendAudit(tx, { actor, action: bytes ? 'brand.logo.set' : 'brand.logo.remove', target: id, details: { logo_sha256: values.logo_sha256, logo_type: values.logo_type, bytes: bytes?.length ?? 0 } });
  return toView(r);
}

/** A logo by the hash of its bytes (what the public URL names). */
export async function logoBySha(db: Executor, sha: string): Promise<{ bytes: Uint8Array; type: string } | null> {
  if (!/^[0-9a-f]{64}$/.test(sha)) return null;
  const r = await db.selectFrom('h5_brands').select(['logo', 'logo_type']).where('logo_sha256', '=', sha).limit(1).executeTakeFirst();
  return r?.logo && r.logo_type ? { bytes: r.logo, type: r.logo_type } : null;
}

/** what a brand id looks like (newId('brd')): anything else is not looked up */
const BRAND_ID = /^brd_[A-Za-z0-9_-]{1,64}$/;

/**
 * The brand a page shows: the one named (`brandId`: a page with no grant or campaign of its own, such as /x
 * or /me, linked as `?brand=brd_…` from the client's app), else the campaign's, else the client's, else the
 * default. One indexed read; never throws for a missing or malformed brand.
 */
export async function brandFor(db: Executor, scope: { clientId?: string | null; campaignId?: string | null; brandId?: string | null }): Promise<PageBrand> {
  const { clientId, campaignId } = scope;
  const brandId = scope.brandId && BRAND_ID.test(scope.brandId) ? scope.brandId : null;
  if (!clientId && !campaignId && !brandId) return DEFAULT_BRAND;
  const rows = await db
    .selectFrom('h5_brands')
    .select(COLUMNS)
    .where((eb) =>
      eb.or([
        ...(brandId ? [eb('id', '=', brandId)] : []),
        ...(campaignId ? [eb('campaign_id', '=', campaignId)] : []),
        ...(clientId ? [eb('client_id', '=', clientId)] : []),
      ]),
    )
    .execute();
  const r = rows.find((x) => brandId && x.id === brandId) ?? rows.find((x) => campaignId && x.campaign_id === campaignId) ?? rows[0];
  if (!r) return DEFAULT_BRAND;
  const v = toView(r);
  return { name: v.name, primary_color: v.primary_color, text_color: v.text_color, logo_url: v.logo_url, service_phone: v.service_phone, service_wechat: v.service_wechat, service_url: v.service_url, footer: v.footer };
}
