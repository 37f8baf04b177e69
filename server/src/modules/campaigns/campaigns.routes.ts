import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { getCampaign } from './campaigns.repo.ts';
import { Campaign, CampaignCreate, CampaignListQuery, CampaignUpdate } from './campaigns.schemas.ts';
import { createCampaign, getCampaignView, listCampaignViews, publicUrlOf, transitionCampaign, updateCampaign } from './campaigns.service.ts';
import type { CampaignEvent } from './campaigns.machine.ts';

// Admin API of campaign links: create, edit, go live / pause / resume / end, and the link's QR code (PNG for
// print, SVG for the web) rendered by the `qrcode` package. The public claim routes are in
// flows/campaign-claim (they issue grants: a flow across modules).

const QrQuery = Type.Object({ size: Type.Optional(Type.Integer({ minimum: 128, maximum: 2048, default: 512, description: 'PNG width in pixels' })) }, { additionalProperties: false });

export async function campaignRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'campaigns:read');
  const write = requireAdmin(ctx, 'campaigns:write');

  app.post('/v1/admin/campaigns', {
    preValidation: write,
    schema: {
      tags: ['admin'],
      summary: 'Create a campaign link (a draft unless activate is true)',
      description: 'The link to post is public_url (PUBLIC_URL/c/<slug>); its QR code at qr_png_url / qr_svg_url.',
      body: CampaignCreate,
      response: { 201: Campaign, ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => reply.status(201).send(await createCampaign(ctx, req.body as CampaignCreate, req.admin!.id)),
  });

  app.get('/v1/admin/campaigns', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Campaigns, newest first, with budget used and remaining', querystring: CampaignListQuery, response: { 200: Page(Campaign), ...problems(400, 401, 403) } },
    handler: async (req) => listCampaignViews(ctx, req.query as { limit?: number; cursor?: string; status?: string }),
  });

  app.get('/v1/admin/campaigns/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A campaign', params: IdParam, response: { 200: Campaign, ...problems(401, 403, 404) } },
    handler: async (req) => getCampaignView(ctx, (req.params as { id: string }).id),
  });

  app.patch('/v1/admin/campaigns/:id', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Edit a campaign that has not ended (the budget not below what is used)', params: IdParam, body: CampaignUpdate, response: { 200: Campaign, ...problems(400, 401, 403, 404, 409) } },
    handler: async (req) => updateCampaign(ctx, (req.params as { id: string }).id, req.body as CampaignUpdate, req.admin!.id),
  });

  const moves: Array<[string, CampaignEvent, string]> = [
    ['activate', 'activate', 'Go live (a draft)'],
    ['pause', 'pause', 'Pause: claims are refused until resumed'],
    ['resume', 'resume', 'Resume a paused campaign'],
    ['end', 'end', 'End for good: claims are refused'],
  ];
  for (const [path, event, summary] of moves) {
    app.post(`/v1/admin/campaigns/:id/${path}`, {
      preValidation: write,
      schema: { tags: ['admin'], summary, params: IdParam, response: { 200: Campaign, ...problems(401, 403, 404, 409) } },
      handler: async (req) => transitionCampaign(ctx, (req.params as { id: string }).id, event, req.admin!.id),
    });
  }

  async function linkOf(id: string) {
    const c = await getCampaign(ctx.db, id);
    if (!c) throw notFound('Campaign', id);
    return publicUrlOf(ctx, c.slug);
  }

  app.get('/v1/admin/campaigns/:id/qr.png', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'The campaign link as a QR code (PNG)', params: IdParam, querystring: QrQuery, response: { ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      const url = await linkOf((req.params as { id: string }).id);
      const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: (req.query as { size?: number }).size ?? 512 });
      return reply.header('content-type', 'image/png').header('cache-control', 'private, max-age=300').send(png);
    },
  });

  app.get('/v1/admin/campaigns/:id/qr.svg', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'The campaign link as a QR code (SVG)', params: IdParam, response: { ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      const url = await linkOf((req.params as { id: string }).id);
      const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return reply.header('content-type', 'image/svg+xml; charset=utf-8').header('cache-control', 'private, max-age=300').send(svg);
    },
  });
}
