import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { requireAdmin } from '../auth/admin-auth.ts';
import { IdParam, problems } from '../http/schemas.ts';
import { getJob } from './jobs.ts';

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
}
