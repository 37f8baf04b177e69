import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { getJob } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { linkExportStream, type LinkExportFormat } from './links.export.ts';
import { linkBatchMachine } from './links.machine.ts';
import { getBatch, listBatches, type LinkBatchRow } from './links.repo.ts';
import { createBatch, MAX_LINKS, type CreateBatchInput } from './links.service.ts';

// Admin HTTP of link batches: create (a job issues the grants), follow, and export the links (CSV / XLSX,
// or a ZIP of QR PNGs) — generated on download, permissioned (links:export) and audited (who, when, how many).

const CreateLinkBatch = Type.Object(
  {
    client: Type.String({ minLength: 1, maxLength: 100, description: 'the client (cli_…, its key id or its name) the grants belong to' }),
    product: Type.String({ minLength: 1, maxLength: 100, description: 'product sku or id' }),
    count: Type.Integer({ minimum: 1, maximum: MAX_LINKS }),
    label: Type.String({ minLength: 1, maxLength: 200, description: 'what the links are for (a flyer, a partner …)' }),
    expires_at: Type.Optional(Type.String({ format: 'date-time', description: 'default: the product validity (or the configured one)' })),
  },
  { additionalProperties: false },
);

export const LinkBatchView = Type.Object({
  id: Type.String({ description: 'lnb_…' }),
  client_id: Type.String(),
  product_id: Type.String(),
  label: Type.String(),
  count: Type.Integer(),
  issued: Type.Integer({ description: 'grants issued so far' }),
  status: Type.Union(linkBatchMachine.states.map((s) => Type.Literal(s))),
  error: Type.Union([Type.String(), Type.Null()]),
  job_id: Type.String(),
  expires_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const ExportQuery = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('zip')]) }, { additionalProperties: false });

const CONTENT_TYPES: Record<LinkExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
};

async function view(ctx: AppContext, b: LinkBatchRow) {
  // while issuing, the job's live progress is fresher than the row's count
  const issued = b.status === 'issuing' ? Math.max(b.issued, (await getJob(ctx.db, b.job_id).catch(() => null))?.progress_done ?? 0) : b.issued;
  return {
    id: b.id,
    client_id: b.client_id,
    product_id: b.product_id,
    label: b.label,
    count: b.count,
    issued,
    status: b.status,
    error: b.error,
    job_id: b.job_id,
    expires_at: b.expires_at?.toISOString() ?? null,
    created_by: b.created_by,
    created_at: b.created_at.toISOString(),
    finished_at: b.finished_at?.toISOString() ?? null,
  };
}

async function batchOr404(ctx: AppContext, id: string) {
  const b = await getBatch(ctx.db, id);
  if (!b) throw notFound('Link batch', id);
  return b;
}

export async function linkRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'links:read');

  app.post('/v1/admin/link-batches', {
    preValidation: requireAdmin(ctx, 'links:create'),
    schema: {
      tags: ['links'],
      summary: 'Pre-issue N grants without recipients, to hand out as links and QR codes (runs as a job)',
      description: 'Answers 202 with the batch; follow it at GET /v1/admin/link-batches/{id}. Card codes are claimed at issue; a direct recharge waits for the recipient to give the account on the link.',
      body: CreateLinkBatch,
      response: { 202: LinkBatchView, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(202).send(await view(ctx, await createBatch(ctx, req.body as CreateBatchInput, req.admin!.id))),
  });

  app.get('/v1/admin/link-batches', {
    preValidation: read,
    schema: { tags: ['links'], summary: 'Link batches, newest first', querystring: Type.Object(ListQuery, { additionalProperties: false }), response: { 200: Page(LinkBatchView), ...problems(401, 403) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string };
      const limit = q.limit ?? 50;
      const rows = await listBatches(ctx.db, { limit: limit + 1, cursor: q.cursor });
      const data = await Promise.all(rows.slice(0, limit).map((b) => view(ctx, b)));
      return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
    },
  });

  app.get('/v1/admin/link-batches/:id', {
    preValidation: read,
    schema: { tags: ['links'], summary: 'A link batch: status and progress', params: IdParam, response: { 200: LinkBatchView, ...problems(401, 403, 404) } },
    handler: async (req) => view(ctx, await batchOr404(ctx, (req.params as { id: string }).id)),
  });

  app.get('/v1/admin/link-batches/:id/export', {
    preValidation: requireAdmin(ctx, 'links:export'),
    schema: {
      tags: ['links'],
      summary: "Download the batch's links (CSV / XLSX: index, grant id, redeem URL, expiry; ZIP: one QR PNG per link, named by index). Audited",
      description: 'The redeem URLs are bearer secrets: the file is generated on download and never stored. A batch still issuing exports the links issued so far.',
      params: IdParam,
      querystring: ExportQuery,
      response: { ...problems(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      const b = await batchOr404(ctx, (req.params as { id: string }).id);
      const { format } = req.query as { format: LinkExportFormat };
      await ctx.db.transaction().execute((tx) =>
        appendAudit(tx, { actor: req.admin!.id, action: 'link_batch.export', target: b.id, details: { format, links: b.issued, count: b.count, label: b.label } }),
      );
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="quanyi-links-${b.id}.${format}"`)
        .header('cache-control', 'no-store')
        .send(linkExportStream(ctx, b, format));
    },
  });
}
