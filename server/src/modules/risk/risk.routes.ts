import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { notFound } from '../../platform/errors.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { addBlacklist, blacklistView, createRule, removeBlacklist, ruleView, updateRule } from './risk.admin.ts';
import { getReview, listBlacklist, listDecisions, listReviews, listRules, type DecisionRow, type ReviewRow } from './risk.repo.ts';
import { decideReview, toReviewItem } from './risk.reviews.ts';
import { FACTS, type RuleInput } from './risk.rules.ts';
import { BlacklistCreate, BlacklistEntry, Decide, Decision, FactList, Review, Rule, RuleCreate, RulePatch, RuleQuery } from './risk.schemas.ts';
import { reviewMachine } from './risk.machine.ts';

// The console's risk pages: rules per scope, blacklists, the review queue and recent decisions.
// risk:read (admin, operator, support), risk:write (rules, blacklists), risk:review (approve / reject).

const reviewView = (r: ReviewRow) => {
  const i = toReviewItem(r);
  return {
    id: i.id, subject_type: i.subjectType, subject_ref: i.subjectRef, payload: i.payload, reason: i.reason, scope: i.scope, status: i.status,
    decided_by: i.decidedBy, decision_reason: i.decisionReason, decided_at: i.decidedAt?.toISOString() ?? null, created_at: i.createdAt.toISOString(),
  };
};
const decisionView = (d: DecisionRow) => ({ ...d, created_at: d.created_at.toISOString() });

function page<T extends { id: string }, V>(rows: T[], limit: number, view: (r: T) => V) {
  return { data: rows.slice(0, limit).map(view), next_cursor: rows.length > limit ? rows[limit - 1].id : null };
}

export async function riskRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'risk:read');
  const write = requireAdmin(ctx, 'risk:write');
  const review = requireAdmin(ctx, 'risk:review');
  const id = (req: FastifyRequest) => (req.params as { id: string }).id;
  const tags = ['admin'];

  app.get('/v1/admin/risk/facts', {
    preValidation: read,
    schema: { tags, summary: 'Facts a client system may pass with a claim (for threshold rules)', response: { 200: FactList, ...problems(401, 403) } },
    handler: async () => ({ data: Object.entries(FACTS).map(([name, f]) => ({ name, type: f.type, description: f.description })) }),
  });

  app.get('/v1/admin/risk/rules', {
    preValidation: read,
    schema: { tags, summary: 'Risk rules (global and per product, campaign or client)', querystring: RuleQuery, response: { 200: Type.Object({ data: Type.Array(Rule) }), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { scope_type?: string; scope_id?: string; status?: 'active' | 'disabled' };
      return { data: (await listRules(ctx.db, { scopeType: q.scope_type, scopeId: q.scope_id, status: q.status })).map(ruleView) };
    },
  });

  app.post('/v1/admin/risk/rules', {
    preValidation: write,
    schema: {
      tags, summary: 'Create a risk rule (a limit per IP / device / phone / external id per window, or a new-user threshold)',
      body: RuleCreate, response: { 201: Rule, ...problems(400, 401, 403) },
    },
    handler: async (req, reply) => reply.status(201).send(ruleView(await createRule(ctx, req.body as RuleInput, req.admin!.id))),
  });

  app.patch('/v1/admin/risk/rules/:id', {
    preValidation: write,
    schema: { tags, summary: 'Edit a risk rule, or disable / enable it (status)', params: IdParam, body: RulePatch, response: { 200: Rule, ...problems(400, 401, 403, 404) } },
    handler: async (req) => ruleView(await updateRule(ctx, id(req), req.body as Partial<RuleInput>, req.admin!.id)),
  });

  app.get('/v1/admin/risk/blacklist', {
    preValidation: read,
    schema: { tags, summary: 'Blacklisted IP ranges and phones (masked)', querystring: Type.Object({ ...ListQuery, kind: Type.Optional(Type.Union([Type.Literal('ip'), Type.Literal('phone')])) }, { additionalProperties: false }), response: { 200: Page(BlacklistEntry), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; kind?: 'ip' | 'phone' };
      const limit = q.limit ?? 50;
      return page(await listBlacklist(ctx.db, { kind: q.kind, limit: limit + 1, cursor: q.cursor }), limit, blacklistView);
    },
  });

  app.post('/v1/admin/risk/blacklist', {
    preValidation: write,
    schema: { tags, summary: 'Blacklist an IP range (CIDR, IPv4 or IPv6) or a phone', body: BlacklistCreate, response: { 201: BlacklistEntry, ...problems(400, 401, 403, 409) } },
    handler: async (req, reply) => reply.status(201).send(blacklistView(await addBlacklist(ctx, req.body as { kind: 'ip' | 'phone'; value: string; note?: string }, req.admin!.id))),
  });

  app.delete('/v1/admin/risk/blacklist/:id', {
    preValidation: write,
    schema: { tags, summary: 'Remove a blacklist entry', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    handler: async (req, reply) => {
      await removeBlacklist(ctx, id(req), req.admin!.id);
      return reply.status(204).send();
    },
  });

  app.get('/v1/admin/risk/reviews', {
    preValidation: read,
    schema: { tags, summary: 'The review queue (held claims), newest first', querystring: Type.Object({ ...ListQuery, status: Type.Optional(Type.Union(reviewMachine.states.map((s) => Type.Literal(s)))), subject_type: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }), response: { 200: Page(Review), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; status?: ReviewRow['status']; subject_type?: string };
      const limit = q.limit ?? 50;
      return page(await listReviews(ctx.db, { status: q.status, subjectType: q.subject_type, limit: limit + 1, cursor: q.cursor }), limit, reviewView);
    },
  });

  app.get('/v1/admin/risk/reviews/:id', {
    preValidation: read,
    schema: { tags, summary: 'A review item', params: IdParam, response: { 200: Review, ...problems(401, 403, 404) } },
    handler: async (req) => {
      const r = await getReview(ctx.db, id(req));
      if (!r) throw notFound('Review', id(req));
      return reviewView(r);
    },
  });

  for (const event of reviewMachine.events) {
    app.post(`/v1/admin/risk/reviews/:id/${event}`, {
      preValidation: review,
      schema: { tags, summary: `${event === 'approve' ? 'Approve' : 'Reject'} a held claim (reason required; audited; decided once)`, params: IdParam, body: Decide, response: { 200: Review, ...problems(400, 401, 403, 404, 409) } },
      handler: async (req) => {
        await decideReview(ctx, id(req), event, { actor: req.admin!.id, reason: (req.body as { reason: string }).reason.trim() });
        return reviewView((await getReview(ctx.db, id(req)))!);
      },
    });
  }

  app.get('/v1/admin/risk/decisions', {
    preValidation: read,
    schema: { tags, summary: 'Recent deny and review decisions with their reasons (masked)', querystring: Type.Object({ ...ListQuery, outcome: Type.Optional(Type.Union([Type.Literal('deny'), Type.Literal('review')])) }, { additionalProperties: false }), response: { 200: Page(Decision), ...problems(400, 401, 403) } },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; outcome?: 'deny' | 'review' };
      const limit = q.limit ?? 50;
      return page(await listDecisions(ctx.db, { outcome: q.outcome, limit: limit + 1, cursor: q.cursor }), limit, decisionView);
    },
  });
}
