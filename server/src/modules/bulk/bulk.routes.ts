import type { MultipartFile } from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { clientAuthOf, requireClient } from '../../platform/auth/client-auth.ts';
import { AppError, badRequest, validationFailed } from '../../platform/errors.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { assertStorable } from '../../platform/http/text-safety.ts';
import { appendAudit } from '../audit/index.ts';
import { bodyRows, fileRows, listFormat } from './bulk.list.ts';
import { reportStream } from './bulk.report.ts';
import { BulkListQuery, BulkRun, CreateBulkBody, ReportQuery } from './bulk.schemas.ts';
import { changeRun, createRun, getRunView, listRunViews, resolveClient } from './bulk.service.ts';

// HTTP of bulk issuance: signed clients post a list as JSON; the console uploads a file (multipart), follows
// progress, pauses / resumes / cancels, and downloads the per-row report.
const SIGNED = [{ signature: [] }];
const UPLOAD_FIELDS = ['client', 'product', 'notify', 'format'];
const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };

function idempotencyKeyOf(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw badRequest('idempotency_key_required', 'Send an Idempotency-Key header (1–255 printable characters) with every POST.');
  }
  return key;
}

function notifyOf(v: string | undefined | null): 'sms' | 'email' | null {
  if (!v) return null;
  if (v === 'sms' || v === 'email') return v;
  throw validationFailed([{ field: 'notify', message: 'must be sms, email or empty' }]);
}

/** The upload: form fields first, then the file, whose rows are read as they arrive (never stored whole). */
async function uploadRun(ctx: AppContext, req: FastifyRequest) {
  const fields: Record<string, string> = {};
  let result: Awaited<ReturnType<typeof createRun>> | undefined;
  for await (const part of req.parts()) {
    if (part.type !== 'file') {
      if (!UPLOAD_FIELDS.includes(part.fieldname)) throw validationFailed([{ field: part.fieldname, message: 'is not an allowed field' }]);
      fields[part.fieldname] = String(part.value ?? '').trim();
      assertStorable({ [part.fieldname]: fields[part.fieldname] }, 'A form field');
      continue;
    }
    const file = part as MultipartFile;
    try {
      if (result || file.fieldname !== 'file') throw badRequest('validation_failed', 'Send exactly one file, in the field "file".', [{ field: file.fieldname, message: 'unexpected file' }]);
      if (!fields.client) throw validationFailed([{ field: 'client', message: 'is required, before the file (client id or name)' }]);
      const clientId = await resolveClient(ctx, fields.client);
      const format = listFormat(file.filename || 'list', fields.format);
      result = await createRun(ctx, { clientId, product: fields.product || null, notify: notifyOf(fields.notify), source: 'upload', sourceName: file.filename || null, createdBy: req.admin!.id }, fileRows(format, file.file));
      if (file.file.truncated) throw new AppError(413, 'payload_too_large', 'Payload too large', 'The file is larger than the upload limit.');
    } finally {
      file.file.resume();
    }
  }
  if (!result) throw validationFailed([{ field: 'file', message: 'is required' }], 'Attach the recipient list in the field "file".');
  return result.run;
}

export async function bulkRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const auth = clientAuthOf(ctx);

  app.post('/v1/bulk-issuances', {
    preValidation: requireClient(auth, 'bulk:write'),
    schema: {
      tags: ['bulk'],
      summary: 'Issue to a list of recipients, silently, as a job (202)',
      description: 'Each row: phone, email, external_id, account (direct recharge), product (else the run\'s), out_order_no. Bad rows are rejected with a reason (see the report), duplicate recipients reported and issued once; 400 bulk_nothing_to_issue when no row can be issued (nothing is stored). Each row is issued at most once, also across restarts. Requires Idempotency-Key.',
      security: SIGNED,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String()) }),
      body: CreateBulkBody,
      response: { 202: BulkRun, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const key = idempotencyKeyOf(req);
      const body = req.body as CreateBulkBody;
      const out = await createRun(
        ctx,
        { clientId: req.client!.id, product: body.product ?? null, notify: body.notify ?? null, source: 'api', sourceName: null, createdBy: req.client!.id, idempotencyKey: key, requestHash: ctx.secrets.requestHash(req.rawBody) },
        bodyRows(body),
      );
      if (out.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(202).send(out.run);
    },
  });

  app.get('/v1/bulk-issuances/:id', {
    preValidation: requireClient(auth, 'bulk:read'),
    schema: { tags: ['bulk'], summary: 'A bulk run: status and progress', security: SIGNED, params: IdParam, response: { 200: BulkRun, ...problems(401, 403, 404) } },
    handler: async (req) => getRunView(ctx, (req.params as { id: string }).id, req.client!.id),
  });

  app.get('/v1/bulk-issuances/:id/report', {
    preValidation: requireClient(auth, 'bulk:read'),
    schema: { tags: ['bulk'], summary: 'The per-row result report (CSV or XLSX): row, recipient (masked), status, grant id, redeem url, error', security: SIGNED, params: IdParam, querystring: ReportQuery, response: { ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      const run = await getRunView(ctx, (req.params as { id: string }).id, req.client!.id);
      return sendReport(ctx, reply, run.id, (req.query as { format?: 'csv' | 'xlsx' }).format ?? 'csv');
    },
  });

  // the console
  const read = requireAdmin(ctx, 'bulk:read');
  const write = requireAdmin(ctx, 'bulk:write');
  app.post('/v1/admin/bulk-issuances', {
    preValidation: write,
    schema: {
      tags: ['admin'],
      summary: 'Upload a recipient list (CSV or XLSX) and issue to it as a job',
      description: 'multipart/form-data: the fields client (id or name), product? (sku or id, for rows that name none), notify? (sms|email), format? (csv|xlsx) first, then one file in the field "file" whose first row names the columns. Answers 202 with the run; 400 bulk_nothing_to_issue (with the first problems) when no row can be issued.',
      consumes: ['multipart/form-data'],
      'x-multipart-body': {
        type: 'object',
        required: ['client', 'file'],
        properties: {
          client: { type: 'string', description: 'client id or name' },
          product: { type: 'string', description: 'sku or id' },
          notify: { type: 'string', enum: ['sms', 'email'] },
          format: { type: 'string', enum: ['csv', 'xlsx'] },
          file: { type: 'string', format: 'binary' },
        },
      },
      response: { 202: BulkRun, ...problems(400, 401, 403, 404, 409, 413, 415) },
    },
    handler: async (req, reply) => reply.status(202).send(await uploadRun(ctx, req)),
  });

  app.get('/v1/admin/bulk-issuances', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Bulk runs, newest first', querystring: BulkListQuery, response: { 200: Page(BulkRun), ...problems(400, 401, 403) } },
    handler: async (req) => listRunViews(ctx, req.query as BulkListQuery),
  });

  app.get('/v1/admin/bulk-issuances/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A bulk run: status and progress', params: IdParam, response: { 200: BulkRun, ...problems(401, 403, 404) } },
    handler: async (req) => getRunView(ctx, (req.params as { id: string }).id),
  });

  for (const event of ['pause', 'resume', 'cancel'] as const) {
    app.post(`/v1/admin/bulk-issuances/:id/${event}`, {
      preValidation: write,
      schema: { tags: ['admin'], summary: `${event[0].toUpperCase() + event.slice(1)} a bulk run (audited)`, params: IdParam, response: { 200: BulkRun, ...problems(401, 403, 404, 409) } },
      handler: async (req) => changeRun(ctx, (req.params as { id: string }).id, event, req.admin!.id),
    });
  }

  app.get('/v1/admin/bulk-issuances/:id/report', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Download the per-row report with each issued row\'s redeem link (audited)', params: IdParam, querystring: ReportQuery, response: { ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      const run = await getRunView(ctx, (req.params as { id: string }).id);
      const format = (req.query as { format?: 'csv' | 'xlsx' }).format ?? 'csv';
      await ctx.db.transaction().execute((tx) => appendAudit(tx, { actor: req.admin!.id, action: 'bulk.report', target: run.id, details: { format, rows: run.progress.total } }));
      return sendReport(ctx, reply, run.id, format);
    },
  });
}

function sendReport(ctx: AppContext, reply: import('fastify').FastifyReply, runId: string, format: 'csv' | 'xlsx') {
  return reply
    .header('content-type', CONTENT_TYPES[format])
    .header('content-disposition', `attachment; filename="quanyi-bulk-${runId}.${format}"`)
    .header('cache-control', 'no-store')
    .send(reportStream(ctx, runId, format));
}
