import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { IdParam, Page, problems } from '../../platform/http/schemas.ts';
import { listJobs, requeue, type JobListQuery } from './jobs.service.ts';
import { getJob } from '../../platform/jobs/jobs.ts';

// GET /v1/admin/jobs/:id: what a background job is doing (imports with progress, later others).
const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const Job = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('dead')]),
  progress_done: Count,
  progress_total: Type.Union([Count, Type.Null()]),
  attempts: Count,
  max_attempts: Count,
  last_error: Nullable(Type.String()),
  note: Nullable(Type.String()),
  dedupe_key: Nullable(Type.String()),
  result: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  created_by: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  run_at: Type.String({ format: 'date-time' }),
  finished_at: Nullable(Type.String({ format: 'date-time' })),
});

export async function jobRoutes(app: FastifyInstance, opts: { ctx: AppContext }) {
  const { ctx } = opts;
  app.get(
    '/v1/admin/jobs/:id',
    {
      preValidation: requireAdmin(ctx, 'jobs:read'),
      schema: {
        tags: ['admin'],
        summary: 'A background job: status, progress, result',
        params: IdParam,
        response: { 200: Job, ...problems(401, 403, 404) },
      },
    },
    async (req) => getJob(ctx.db, (req.params as { id: string }).id),
  );

  const JobStatus = Type.Union(['queued', 'running', 'succeeded', 'failed', 'dead'].map((s) => Type.Literal(s)));
  app.get('/v1/admin/jobs', {
    preValidation: requireAdmin(ctx, 'jobs:read'),
    schema: {
      tags: ['admin'],
      summary: 'List background jobs (newest first), e.g. the dead ones',
      querystring: Type.Object(
        {
          status: Type.Optional(JobStatus),
          kind: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Page(Job), ...problems(400, 401, 403) },
    },
    handler: async (req) => listJobs(ctx.db, req.query as JobListQuery),
  });

  app.post('/v1/admin/jobs/:id/requeue', {
    preValidation: requireAdmin(ctx, 'jobs:write'),
    schema: { tags: ['admin'], summary: 'Put a dead or failed job back in the queue', params: IdParam, response: { 200: Job, ...problems(401, 403, 404, 409) } },
    handler: async (req) => requeue(ctx.db, (req.params as { id: string }).id, req.admin!.id),
  });
}
