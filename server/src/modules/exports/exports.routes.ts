import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { can } from '../../platform/auth/permissions.ts';
import { conflict, forbidden, notFound } from '../../platform/errors.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { getJob, enqueue } from '../../platform/jobs/jobs.ts';
import { newId } from '../../platform/ids.ts';
import type { Role } from '../../platform/db/schema.ts';
import { appendAudit } from '../audit/index.ts';
import { EXPORT_JOB } from './exports.job.ts';
import { chunksOf, getExport, insertExport, listExports, type ExportFormat, type ExportKind, type ExportRow } from './exports.repo.ts';
import { EXPORT_KINDS, EXPORT_SOURCES, shownFilter } from './exports.sources.ts';
import { exportMachine } from './exports.machine.ts';

// Exports of grants, recharge orders and audit events as CSV or XLSX (issue 6). Always a job in the bulk
// lane, whatever the size: one code path, and a console request never holds a connection for minutes.
// Creating and downloading are audited (who, what kind, the filter, the row count).

/** how long a finished export can be downloaded before the pruner deletes it */
export const EXPORT_RETENTION_DAYS = 7;

const Format = Type.Union([Type.Literal('csv'), Type.Literal('xlsx')]);
const CreateExport = Type.Union(
  EXPORT_KINDS.map((kind) =>
    Type.Object({ kind: Type.Literal(kind), format: Format, filter: Type.Optional(EXPORT_SOURCES[kind].filter) }, { additionalProperties: false }),
  ),
  { description: 'kind grants takes the filter of GET /v1/admin/grants; recharges {status, product}; audit {action, actor, target}' },
);

const ExportView = Type.Object({
  id: Type.String({ description: 'exp_…' }),
  kind: Type.Union(EXPORT_KINDS.map((k) => Type.Literal(k))),
  format: Format,
  filter: Type.Record(Type.String(), Type.Unknown(), { description: 'as given; a phone only masked (phone_masked)' }),
  status: Type.Union(exportMachine.states.map((s) => Type.Literal(s))),
  job_id: Type.String(),
  progress_rows: Type.Integer({ description: 'rows written so far (while running) or in all' }),
  rows: Type.Integer(),
  size_bytes: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  created_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
  download_url: Type.Union([Type.String(), Type.Null()], { description: 'once succeeded' }),
});

const kindsOf = (role: Role) => EXPORT_KINDS.filter((k) => can(role, EXPORT_SOURCES[k].permission));

async function view(ctx: AppContext, e: ExportRow) {
  let progress = Number(e.rows);
  if (e.status === 'running') progress = (await getJob(ctx.db, e.job_id).catch(() => null))?.progress_done ?? 0;
  return {
    id: e.id,
    kind: e.kind,
    format: e.format,
    filter: shownFilter(e.filter),
    status: e.status,
    job_id: e.job_id,
    progress_rows: progress,
    rows: Number(e.rows),
    size_bytes: Number(e.size_bytes),
    error: e.error,
    created_by: e.created_by,
    created_at: e.created_at.toISOString(),
    finished_at: e.finished_at?.toISOString() ?? null,
    expires_at: e.expires_at.toISOString(),
    download_url: e.status === 'succeeded' ? `/v1/admin/exports/${e.id}/download` : null,
  };
}

/** An export the caller may see: one of a kind their role may export (others are "not found"). */
async function visibleExport(ctx: AppContext, id: string, role: Role): Promise<ExportRow> {
  const e = await getExport(ctx.db, id);
  if (!e || !kindsOf(role).includes(e.kind)) throw notFound('Export', id);
  return e;
}

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export async function exportRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'exports:read');

  app.post('/v1/admin/exports', {
    preValidation: read,
    schema: {
      tags: ['admin'],
      summary: 'Export grants, recharge orders or audit events as CSV or XLSX (runs as a job)',
      description: `Answers 202 with the export; follow it at GET /v1/admin/exports/{id} and download it once succeeded. Phones and accounts are masked; codes and tokens never appear. Kept ${EXPORT_RETENTION_DAYS} days.`,
      body: CreateExport,
      response: { 202: ExportView, ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => {
      const body = req.body as { kind: ExportKind; format: ExportFormat; filter?: Record<string, unknown> };
      const source = EXPORT_SOURCES[body.kind];
      if (!can(req.admin!.role, source.permission)) throw forbidden(`The ${req.admin!.role} role may not export ${body.kind} (${source.permission}).`);
      const filter = source.prepare(ctx, body.filter ?? {});
      const id = newId('exp');
      const jobId = newId('job');
      await ctx.db.transaction().execute(async (tx) => {
        await insertExport(tx, { id, kind: body.kind, format: body.format, filter, job_id: jobId, created_by: req.admin!.id, expires_at: new Date(Date.now() + EXPORT_RETENTION_DAYS * 86_400_000) });
        await enqueue(tx, EXPORT_JOB, { export_id: id }, { id: jobId, createdBy: req.admin!.id });
        await appendAudit(tx, { actor: req.admin!.id, action: 'export.create', target: id, details: { kind: body.kind, format: body.format, filter: shownFilter(filter) } });
      });
      return reply.status(202).send(await view(ctx, (await getExport(ctx.db, id))!));
    },
  });

  app.get('/v1/admin/exports', {
    preValidation: read,
    schema: {
      tags: ['admin'],
      summary: 'Exports, newest first (of the kinds your role may export)',
      querystring: Type.Object({ ...ListQuery, kind: Type.Optional(Type.Union(EXPORT_KINDS.map((k) => Type.Literal(k)))) }, { additionalProperties: false }),
      response: { 200: Page(ExportView), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; kind?: ExportKind };
      const limit = q.limit ?? 50;
      const kinds = kindsOf(req.admin!.role).filter((k) => !q.kind || k === q.kind);
      const rows = await listExports(ctx.db, { kinds, limit: limit + 1, cursor: q.cursor });
      const data = await Promise.all(rows.slice(0, limit).map((e) => view(ctx, e)));
      return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
    },
  });

  app.get('/v1/admin/exports/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'An export: status, progress, rows, size', params: IdParam, response: { 200: ExportView, ...problems(401, 403, 404) } },
    handler: async (req) => view(ctx, await visibleExport(ctx, (req.params as { id: string }).id, req.admin!.role)),
  });

  app.get('/v1/admin/exports/:id/download', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Download a finished export (audited)', params: IdParam, response: { ...problems(401, 403, 404, 409) } },
    handler: async (req, reply) => {
      const e = await visibleExport(ctx, (req.params as { id: string }).id, req.admin!.role);
      if (e.status !== 'succeeded') throw conflict('export_not_ready', `Export ${e.id} is ${e.status}.`);
      await ctx.db.transaction().execute((tx) =>
        appendAudit(tx, { actor: req.admin!.id, action: 'export.download', target: e.id, details: { kind: e.kind, format: e.format, filter: shownFilter(e.filter), rows: Number(e.rows), size_bytes: Number(e.size_bytes) } }),
      );
      const name = `quanyi-${e.kind}-${e.created_at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}.${e.format}`;
      return reply
        .header('content-type', CONTENT_TYPES[e.format])
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('content-length', String(e.size_bytes))
        .header('cache-control', 'no-store')
        .send(Readable.from(chunksOf(ctx.db, e.id)));
    },
  });
}
