import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { badRequest } from '../../platform/errors.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { getGrant } from '../grants/index.ts';
import { createBrand, deleteBrand, getBrand, listBrands, logoBySha, setLogo, updateBrand, LOGO_MAX_BYTES, type BrandInput } from './brands.service.ts';
import { ourPublicUrl, qrImage, type QrFormat } from './qr.ts';
import { assetByFile } from './shell.ts';

// Routes of the h5 module: the shell's public files (scripts, logos), the brands admin API, and QR codes of
// our public links for the console.
const ADMIN = ['admin'];
const Nullable = (s: ReturnType<typeof Type.String>) => Type.Optional(Type.Union([s, Type.Null()]));
const BrandFields = {
  client_id: Nullable(Type.String({ maxLength: 100, description: 'the client whose grants show this brand (cli_…)' })),
  campaign_id: Nullable(Type.String({ maxLength: 100, description: 'a campaign id (opaque until campaigns exist); wins over the client brand' })),
  primary_color: Type.Optional(Type.String({ maxLength: 7, description: 'hex, e.g. #1664ff' })),
  text_color: Type.Optional(Type.String({ maxLength: 7, description: 'text on the primary colour, hex' })),
  service_phone: Nullable(Type.String({ maxLength: 30 })),
  service_wechat: Nullable(Type.String({ maxLength: 20 })),
  service_url: Nullable(Type.String({ maxLength: 300 })),
  footer: Nullable(Type.String({ maxLength: 200 })),
};
const BrandCreate = Type.Object({ name: Type.String({ maxLength: 60 }), ...BrandFields }, { additionalProperties: false });
const BrandPatch = Type.Object({ name: Type.Optional(Type.String({ maxLength: 60 })), ...BrandFields }, { additionalProperties: false });
const NS = Type.Union([Type.String(), Type.Null()]);
const Brand = Type.Object({
  id: Type.String({ description: 'brd_…' }),
  client_id: NS,
  campaign_id: NS,
  name: Type.String(),
  primary_color: Type.String(),
  text_color: Type.String(),
  service_phone: NS,
  service_wechat: NS,
  service_url: NS,
  footer: NS,
  logo_url: Type.Union([Type.String(), Type.Null()], { description: '/h5/logos/<sha256>.png|jpg, cached for a year' }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const LogoBody = Type.Object({ data_base64: Type.String({ maxLength: Math.ceil((LOGO_MAX_BYTES * 4) / 3) + 8, description: `PNG or JPEG bytes, base64; at most ${LOGO_MAX_BYTES / 1024} KB` }) }, { additionalProperties: false });
const QrQuery = Type.Object({ url: Type.String({ maxLength: 2000 }), format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])) }, { additionalProperties: false });
const FormatQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('png'), Type.Literal('svg')])) }, { additionalProperties: false });

const YEAR = 'public, max-age=31536000, immutable';

async function sendQr(reply: FastifyReply, url: string, format: QrFormat, cache: string) {
  const img = await qrImage(url, format);
  return reply.header('cache-control', cache).header('x-content-type-options', 'nosniff').type(img.type).send(img.body);
}

export async function h5Routes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'brands:read');
  const write = requireAdmin(ctx, 'brands:write');
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;
  const actor = (req: FastifyRequest) => req.admin!.id;

  // public: the shell's scripts by content hash (a new build is a new URL, so they are cached for a year)
  app.get('/h5/assets/:file', { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 100 }) }) } }, async (req, reply) => {
    const a = assetByFile((req.params as { file: string }).file);
    if (!a) return reply.status(404).header('cache-control', 'no-store').type('text/plain').send('not found');
    return reply.header('cache-control', YEAR).header('x-content-type-options', 'nosniff').type('text/javascript; charset=utf-8').send(a.body);
  });

  // public: brand logos by the SHA-256 of their bytes
  app.get('/h5/logos/:file', { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 80 }) }) } }, async (req, reply) => {
    const m = /^([0-9a-f]{64})\.(png|jpg)$/.exec((req.params as { file: string }).file);
    const logo = m ? await logoBySha(ctx.db, m[1]) : null;
    if (!logo) return reply.status(404).header('cache-control', 'no-store').type('text/plain').send('not found');
    return reply
      .header('cache-control', YEAR)
      .header('etag', `"${m![1]}"`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .type(logo.type)
      .send(Buffer.from(logo.bytes));
  });

  app.get('/v1/admin/brands', {
    preValidation: read,
    schema: { tags: ADMIN, summary: 'H5 brands (per client or campaign), newest first', querystring: Type.Object(ListQuery, { additionalProperties: false }), response: { 200: Page(Brand), ...problems(400, 401, 403) } },
    handler: async (req) => listBrands(ctx.db, req.query as { limit?: number; cursor?: string }),
  });

  app.get('/v1/admin/brands/:id', {
    preValidation: read,
    schema: { tags: ADMIN, summary: 'An H5 brand', params: IdParam, response: { 200: Brand, ...problems(401, 403, 404) } },
    handler: async (req) => getBrand(ctx.db, id(req)),
  });

  app.post('/v1/admin/brands', {
    preValidation: write,
    schema: { tags: ADMIN, summary: 'Create an H5 brand for a client or a campaign (or the fallback, with neither)', body: BrandCreate, response: { 201: Brand, ...problems(400, 401, 403, 409) } },
    handler: async (req, reply) => reply.status(201).send(await ctx.db.transaction().execute((tx) => createBrand(tx, req.body as BrandInput, actor(req)))),
  });

  app.patch('/v1/admin/brands/:id', {
    preValidation: write,
    schema: { tags: ADMIN, summary: 'Change an H5 brand (only the fields given; null clears)', params: IdParam, body: BrandPatch, response: { 200: Brand, ...problems(400, 401, 403, 404, 409) } },
    handler: async (req) => ctx.db.transaction().execute((tx) => updateBrand(tx, id(req), req.body as BrandInput, actor(req))),
  });

  app.delete('/v1/admin/brands/:id', {
    preValidation: write,
    schema: { tags: ADMIN, summary: 'Delete an H5 brand (its pages fall back to the default look)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      await ctx.db.transaction().execute((tx) => deleteBrand(tx, id(req), actor(req)));
      return reply.status(204).send();
    },
  });

  app.put('/v1/admin/brands/:id/logo', {
    preValidation: write,
    schema: { tags: ADMIN, summary: 'Upload the brand logo: PNG or JPEG (checked by its bytes, no SVG), at most 100 KB', params: IdParam, body: LogoBody, response: { 200: Brand, ...problems(400, 401, 403, 404, 413) } },
    handler: async (req) => {
      const data = (req.body as { data_base64: string }).data_base64;
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw badRequest('logo_invalid', 'data_base64 is not base64.');
      return ctx.db.transaction().execute((tx) => setLogo(tx, id(req), Buffer.from(data, 'base64'), actor(req)));
    },
  });

  app.delete('/v1/admin/brands/:id/logo', {
    preValidation: write,
    schema: { tags: ADMIN, summary: 'Remove the brand logo', params: IdParam, response: { 200: Brand, ...problems(401, 403, 404) } },
    handler: async (req) => ctx.db.transaction().execute((tx) => setLogo(tx, id(req), null, actor(req))),
  });

  app.get('/v1/admin/qr', {
    preValidation: requireAdmin(ctx, 'h5:qr'),
    schema: {
      tags: ADMIN, summary: 'A QR code (PNG or SVG) of one of our public links (under PUBLIC_URL)', querystring: QrQuery,
      response: { 200: Type.String({ description: 'image/png or image/svg+xml' }), ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => {
      const q = req.query as { url: string; format?: QrFormat };
      return sendQr(reply, ourPublicUrl(ctx.config.publicUrl, q.url), q.format ?? 'png', 'private, max-age=300');
    },
  });

  // The QR of a grant's redeem link. Whoever scans it can reveal the code, so this is a permissioned,
  // audited delivery (printing a card for the recipient), like an export (DESIGN §3.4).
  app.get('/v1/admin/grants/:id/qr', {
    preValidation: requireAdmin(ctx, 'grants:qr'),
    schema: {
      tags: ADMIN, summary: 'The QR code of a grant\'s redeem link (audited: the holder of the QR can claim the grant)', params: IdParam, querystring: FormatQuery,
      response: { 200: Type.String({ description: 'image/png or image/svg+xml' }), ...problems(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      const grant = await getGrant(ctx, id(req));
      const format = (req.query as { format?: QrFormat }).format ?? 'png';
      await ctx.db.transaction().execute((tx) => appendAudit(tx, { actor: actor(req), action: 'grant.qr', target: grant.id, details: { format } }));
      return sendQr(reply, `${ctx.config.publicUrl}/r/${ctx.secrets.redeemToken(grant.id)}`, format, 'no-store');
    },
  });
}
