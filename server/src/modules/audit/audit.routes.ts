import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { problems } from '../../platform/http/schemas.ts';
import { verifyAudit } from './audit.service.ts';

const Event = Type.Object({
  seq: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  action: Type.String(),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});

// either the whole chain checks out, or where it first breaks and why
const VerifyResult = Type.Union([
  Type.Object({ ok: Type.Literal(true), events: Type.Integer(), head_hash: Type.String() }),
  Type.Object({ ok: Type.Literal(false), events_checked: Type.Integer(), broken_seq: Type.Integer(), reason: Type.String() }),
]);

export async function auditRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/v1/admin/audit', {
    preValidation: requireAdmin(ctx, 'audit:read'),
    schema: {
      tags: ['admin'],
      summary: 'Audit events, newest first (cursor = seq)',
      querystring: Type.Object(
        {
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
          action: Type.Optional(Type.String({ maxLength: 100 })),
          actor: Type.Optional(Type.String({ maxLength: 100 })),
          target: Type.Optional(Type.String({ maxLength: 100 })),
          from: Type.Optional(Type.String({ format: 'date-time', description: 'events at or after this time' })),
          to: Type.Optional(Type.String({ format: 'date-time', description: 'events before this time' })),
        },
        { additionalProperties: false },
      ),
      response: { 200: Type.Object({ data: Type.Array(Event), next_cursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; action?: string; actor?: string; target?: string; from?: string; to?: string };
      const limit = q.limit ?? 100;
      let query = ctx.db.selectFrom('audit_events').select(['seq', 'created_at', 'actor', 'action', 'target', 'details', 'hash']).orderBy('seq', 'desc').limit(limit + 1);
      if (q.cursor) query = query.where('seq', '<', Number(q.cursor));
      if (q.action) query = query.where('action', '=', q.action);
      if (q.actor) query = query.where('actor', '=', q.actor);
      if (q.target) query = query.where('target', '=', q.target);
      if (q.from) query = query.where('created_at', '>=', new Date(q.from));
      if (q.to) query = query.where('created_at', '<', new Date(q.to));
      const rows = await query.execute();
      const data = rows.slice(0, limit).map((r) => ({ ...r, created_at: r.created_at.toISOString() }));
      return { data, next_cursor: rows.length > limit ? String(data[data.length - 1].seq) : null };
    },
  });

  app.get('/v1/admin/audit/verify', {
    preValidation: requireAdmin(ctx, 'audit:read'),
    schema: { tags: ['admin'], summary: 'Verify the hash chain', response: { 200: VerifyResult, ...problems(401, 403) } },
    handler: async () => verifyAudit(ctx.db),
  });
}
