import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { fail } from '../../platform/errors.ts';
import { IdParam, problems } from '../../platform/http/schemas.ts';
import { fetchBill, importBill, reconciliationReport, reportCsv } from './bills.ts';
import { purchaseByHand } from './buy.ts';
import { BillSummary, ReconciliationReport } from './reconciliation.schemas.ts';
import { configureProcurement, purchaseDetail, purchasesView, settingsView } from './settings.ts';

// Admin HTTP of procurement and reconciliation. Thin: schema → flow → response.
const Ref = Type.String({ minLength: 1, maxLength: 100 });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10 });
const BillParams = Type.Object({ supplier: Ref, day: Day });
const MAX_BILL_BYTES = 20 * 1024 * 1024;

export async function procurementRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  // bills are uploaded as the CSV itself (text/csv); this plugin's scope only
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: MAX_BILL_BYTES }, (_req, body, done) => done(null, body));

  app.put('/v1/admin/procurement/products/:id', {
    preValidation: requireAdmin(ctx, 'procurement:write'),
    schema: {
      tags: ['procurement'],
      summary: 'Set the reorder quantity of a card-code product and switch automatic buying on or off (audited)',
      params: IdParam,
      body: Type.Object({ reorder_quantity: Type.Integer({ minimum: 1, maximum: 10_000 }), enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      response: problems(400, 401, 403, 404),
    },
    handler: async (req) => configureProcurement(ctx, (req.params as { id: string }).id, req.body as { reorder_quantity: number; enabled?: boolean }, req.admin!.id),
  });

  app.get('/v1/admin/procurement/settings', {
    preValidation: requireAdmin(ctx, 'procurement:read'),
    schema: { tags: ['procurement'], summary: 'Reorder settings of all products', response: problems(401, 403) },
    handler: async () => settingsView(ctx),
  });

  app.get('/v1/admin/procurement/purchases', {
    preValidation: requireAdmin(ctx, 'procurement:read'),
    schema: {
      tags: ['procurement'],
      summary: 'Purchase orders, newest first, each with its state and every exchange with the supplier',
      querystring: Type.Object({
        product: Type.Optional(Ref),
        state: Type.Optional(Type.Union(['created', 'submitting', 'accepted', 'unknown', 'succeeded', 'failed', 'rejected'].map((s) => Type.Literal(s)))),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        cursor: Type.Optional(Ref),
      }),
      response: problems(400, 401, 403, 404),
    },
    handler: async (req) => purchasesView(ctx, req.query as { product?: string; state?: string; limit?: number; cursor?: string }),
  });

  app.get('/v1/admin/procurement/purchases/:id', {
    preValidation: requireAdmin(ctx, 'procurement:read'),
    schema: { tags: ['procurement'], summary: 'One purchase order with its exchanges with the supplier', params: IdParam, response: problems(401, 403, 404) },
    handler: async (req) => purchaseDetail(ctx, (req.params as { id: string }).id),
  });

  app.post('/v1/admin/procurement/purchases', {
    preValidation: requireAdmin(ctx, 'procurement:write'),
    schema: {
      tags: ['procurement'],
      summary: 'Buy now (by hand): opens a purchase order unless the product has one open, which is returned instead',
      body: Type.Object({ product: Ref, quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })) }, { additionalProperties: false }),
      response: problems(400, 401, 403, 404, 409),
    },
    handler: async (req, reply) => {
      const body = req.body as { product: string; quantity?: number };
      const r = await purchaseByHand(ctx, body.product, req.admin!.id, body.quantity);
      return reply.status(r.created ? 201 : 200).send(await purchaseDetail(ctx, r.purchase.id));
    },
  });

  app.post('/v1/admin/reconciliation/bills/:supplier/:day', {
    preValidation: requireAdmin(ctx, 'reconciliation:write'),
    schema: {
      tags: ['reconciliation'],
      summary: "Upload a supplier's bill of a day (the CSV as text/csv, or JSON {csv}); replaces that day's lines",
      params: BillParams,
      response: { 201: BillSummary, ...problems(400, 401, 403, 404, 413, 415) },
    },
    handler: async (req, reply) => {
      const p = req.params as { supplier: string; day: string };
      const body = req.body as unknown;
      const csv = typeof body === 'string' ? body : typeof body === 'object' && body !== null && typeof (body as { csv?: unknown }).csv === 'string' ? (body as { csv: string }).csv : null;
      if (csv === null) throw fail('invalid_file', 'Send the bill as text/csv, or as JSON {"csv": "…"}.');
      return reply.status(201).send(await importBill(ctx, { supplier: p.supplier, day: p.day, csv, actor: req.admin!.id }));
    },
  });

  app.post('/v1/admin/reconciliation/bills/:supplier/:day/fetch', {
    preValidation: requireAdmin(ctx, 'reconciliation:write'),
    schema: { tags: ['reconciliation'], summary: "Fetch the supplier's bill of a day through its adapter; replaces that day's lines", params: BillParams, response: { 201: BillSummary, ...problems(400, 401, 403, 404, 502) } },
    handler: async (req, reply) => {
      const p = req.params as { supplier: string; day: string };
      return reply.status(201).send(await fetchBill(ctx, { supplier: p.supplier, day: p.day, actor: req.admin!.id }));
    },
  });

  app.get('/v1/admin/reconciliation/:supplier/:day', {
    preValidation: requireAdmin(ctx, 'reconciliation:read'),
    schema: {
      tags: ['reconciliation'],
      summary: 'Reconciliation of a supplier and day: every line matched, amount differs, only theirs, only ours; totals (分). ?format=csv exports it',
      params: BillParams,
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }),
      // the CSV export is sent as a string, which Fastify does not pass through this (JSON) schema
      response: { 200: ReconciliationReport, ...problems(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      const p = req.params as { supplier: string; day: string };
      const report = await reconciliationReport(ctx, p.supplier, p.day);
      if ((req.query as { format?: string }).format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="reconciliation-${report.supplier_name.replace(/[^\w.-]/g, '_')}-${report.day}.csv"`)
          .send(reportCsv(report));
      }
      return report;
    },
  });
}
