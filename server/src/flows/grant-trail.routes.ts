import { Type } from '@sinclair/typebox';
import type { ModuleDefinition } from '../platform/module.ts';
import { requireAdmin } from '../platform/auth/admin-auth.ts';
import { IdParam, problems } from '../platform/http/schemas.ts';
import { Grant } from '../modules/grants/index.ts';
import { grantTrail, grantWithAudit } from './grant-trail.ts';

// The console's grant pages: they read grants, clients, recharges, webhooks and audit, so they are a flow.
const AuditEntry = Type.Object({ seq: Type.Integer(), created_at: Type.String({ format: 'date-time' }), actor: Type.String(), action: Type.String(), details: Type.Record(Type.String(), Type.Unknown()) });

const TimelineEntry = Type.Object({
  at: Type.String({ format: 'date-time' }),
  kind: Type.Union(['grant', 'audit', 'recharge', 'webhook'].map((k) => Type.Literal(k))),
  event: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  summary: Type.String(),
  ref: Type.Union([Type.String(), Type.Null()]),
});

const GrantTrail = Type.Object({
  grant: Type.Composite([
    Grant,
    Type.Object({
      client: Type.Union([Type.Object({ id: Type.String(), name: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
      channel: Type.Union([Type.String(), Type.Null()]),
      campaign: Type.Union([Type.String(), Type.Null()]),
      issued_by: Type.String({ description: 'cli_… (a client system), usr_… (an admin) or system' }),
      end_reason: Type.Union([Type.String(), Type.Null()]),
    }),
  ]),
  reveals: Type.Object({ count: Type.Integer(), times: Type.Array(Type.String({ format: 'date-time' })) }),
  recharge: Type.Union([Type.Unknown({ description: 'the recharge order with every attempt and event, as GET /v1/admin/recharges/{id}' }), Type.Null()]),
  webhooks: Type.Array(Type.Unknown({ description: 'webhook events about the grant (without their data) with deliveries and tries' })),
  audit: Type.Array(AuditEntry),
  timeline: Type.Array(TimelineEntry),
});

export const grantTrailFlow: ModuleDefinition = {
  name: 'grant-trail',
  async routes(app, { ctx }) {
    app.get('/v1/admin/grants/:id', {
      preValidation: requireAdmin(ctx, 'grants:read'),
      schema: { tags: ['admin'], summary: 'A grant with the audit events about it', params: IdParam, response: { 200: Type.Composite([Grant, Type.Object({ trail: Type.Array(AuditEntry) })]), ...problems(401, 403, 404) } },
      handler: async (req) => grantWithAudit(ctx, (req.params as { id: string }).id),
    });

    app.get('/v1/admin/grants/:id/trail', {
      preValidation: requireAdmin(ctx, 'grants:read'),
      schema: {
        tags: ['admin'],
        summary: "A grant's whole trail",
        description: 'Who issued it through which client, channel and campaign; reveals; the recharge order with attempts, submits, callbacks and queries; webhook events and deliveries; audit events; and all of it as one time-ordered timeline (oldest first). No code, token or redeem link; phone and account masked.',
        params: IdParam,
        response: { 200: GrantTrail, ...problems(401, 403, 404) },
      },
      handler: async (req) => grantTrail(ctx, (req.params as { id: string }).id),
    });
  },
};
