import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { getJob } from '../../platform/jobs/jobs.ts';
import { notFound } from '../../platform/errors.ts';
import { codeListFile, downloadGeneration } from './redemption.generate.ts';
import { getGeneration, listCodes, listGenerations, listSets } from './redemption.repo.ts';
import { CodeListQuery, CodeRow, GenerateBody, Generation, ImportBody, ImportResult, RedemptionSet, SetCreate, SetListQuery } from './redemption.schemas.ts';
import { changeSet, createSet, generationView, importCodes, requireSet, setView, startGeneration } from './redemption.service.ts';
import type { SetAdminEvent } from './redemption.machine.ts';
import { codePageRoutes } from './code-page.ts';

// Admin API of redemption code sets (the claim endpoints are in flows/redemption: they issue grants).
export async function redemptionRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  await codePageRoutes(app, ctx); // the public H5 page /x (code-page.ts)
  const read = requireAdmin(ctx, 'redemption:read');
  const write = requireAdmin(ctx, 'redemption:write');
  const exportList = requireAdmin(ctx, 'redemption:export');

  app.post('/v1/admin/redemption-sets', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Create a redemption code set (兑换码)', body: SetCreate, response: { 201: RedemptionSet, ...problems(400, 401, 403) } },
    handler: async (req, reply) => reply.status(201).send(await createSet(ctx, req.body as SetCreate, req.admin!.id)),
  });

  app.get('/v1/admin/redemption-sets', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Redemption code sets, newest first', querystring: SetListQuery, response: { 200: Page(RedemptionSet), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; client_id?: string; status?: string };
      const limit = q.limit ?? 50;
      const rows = await listSets(ctx.db, { ...q, limit: limit + 1 });
      const data = rows.slice(0, limit).map(setView);
      return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
    },
  });

  app.get('/v1/admin/redemption-sets/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A redemption code set', params: IdParam, response: { 200: RedemptionSet, ...problems(401, 403, 404) } },
    handler: async (req) => setView(await requireSet(ctx, (req.params as { id: string }).id)),
  });

  for (const event of ['pause', 'resume', 'void'] as SetAdminEvent[]) {
    app.post(`/v1/admin/redemption-sets/:id/${event}`, {
      preValidation: write,
      schema: { tags: ['admin'], summary: `${event[0].toUpperCase()}${event.slice(1)} a redemption code set (audited)`, params: IdParam, response: { 200: RedemptionSet, ...problems(401, 403, 404, 409) } },
      handler: async (req) => changeSet(ctx, (req.params as { id: string }).id, event, req.admin!.id),
    });
  }

  app.get('/v1/admin/redemption-sets/:id/codes', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'The codes of a set: masked hints and counters (never a code)', params: IdParam, querystring: CodeListQuery, response: { 200: Page(CodeRow), ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      const id = (req.params as { id: string }).id;
      await requireSet(ctx, id);
      const q = req.query as { limit?: number; cursor?: string };
      const limit = q.limit ?? 100;
      const rows = await listCodes(ctx.db, id, { limit: limit + 1, cursor: q.cursor === undefined ? undefined : Number(q.cursor) });
      const data = rows.slice(0, limit).map((r) => ({ ...r, id: Number(r.id), created_at: r.created_at.toISOString() }));
      return { data, next_cursor: rows.length > limit ? String(data[data.length - 1].id) : null };
    },
  });

  app.post('/v1/admin/redemption-sets/:id/generate', {
    preValidation: write,
    schema: {
      tags: ['admin'],
      summary: 'Generate N codes (a job with progress); the plaintext list is downloadable once',
      description: 'Answers 202; follow GET /v1/admin/redemption-generations/{id}. The list is sealed at rest until its first download (redemption:export) or 24 h.',
      params: IdParam,
      body: GenerateBody,
      response: { 202: Generation, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(202).send(await startGeneration(ctx, (req.params as { id: string }).id, req.body as never, req.admin!.id)),
  });

  app.post('/v1/admin/redemption-sets/:id/import', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Import codes (TXT or CSV text); rejected rows are reported, the rest imported', params: IdParam, body: ImportBody, response: { 200: ImportResult, ...problems(400, 401, 403, 404, 409) } },
    handler: async (req) => importCodes(ctx, (req.params as { id: string }).id, (req.body as { content: string }).content, req.admin!.id),
  });

  app.get('/v1/admin/redemption-sets/:id/generations', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Generations of a set, newest first', params: IdParam, response: { 200: Type.Object({ data: Type.Array(Generation) }), ...problems(401, 403, 404) } },
    handler: async (req) => {
      const id = (req.params as { id: string }).id;
      await requireSet(ctx, id);
      return { data: (await listGenerations(ctx.db, id)).map((g) => generationView(g)) };
    },
  });

  app.get('/v1/admin/redemption-generations/:id', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'A generation: status and progress', params: IdParam, response: { 200: Generation, ...problems(401, 403, 404) } },
    handler: async (req) => {
      const g = await getGeneration(ctx.db, (req.params as { id: string }).id);
      if (!g) throw notFound('Redemption code generation', (req.params as { id: string }).id);
      const progress = g.status === 'running' ? ((await getJob(ctx.db, g.job_id).catch(() => null))?.progress_done ?? 0) : undefined;
      return generationView(g, progress === undefined ? undefined : Number(progress));
    },
  });

  app.get('/v1/admin/redemption-generations/:id/download', {
    preValidation: exportList,
    schema: { tags: ['admin'], summary: 'The plaintext code list, ONCE (audited); later 410 redemption_export_gone', params: IdParam, response: { ...problems(401, 403, 404, 409, 410) } },
    handler: async (req, reply) => {
      const { generation: g, codes } = await downloadGeneration(ctx, (req.params as { id: string }).id, req.admin!.id);
      const file = await codeListFile(g.format, codes);
      return reply
        .header('content-type', g.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="redemption-codes-${g.id}.${g.format}"`)
        .header('cache-control', 'no-store')
        .send(file);
    },
  });
}
