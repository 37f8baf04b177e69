import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { PHONE_PATTERN } from '../../platform/phone.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { appendAudit } from '../audit/index.ts';
import { getProduct } from '../catalog/index.ts';
import { addUnsubscribe, getMessage } from './notify.repo.ts';
import { messageOfUnsubscribeToken } from './notify.service.ts';
import { messageMachine } from './notify.machine.ts';
import { DEFAULT_TEMPLATES, NOTIFY_CHANNELS, NOTIFY_EVENTS, render, TEMPLATE_VARIABLES, unknownVariables, type NotifyEvent } from './notify.templates.ts';
import { PHONE_CODE_PURPOSES, PHONE_PROOF_COOKIE, PHONE_PROOF_TTL_SECONDS, requestPhoneCode, verifyPhoneCode } from './phone-codes.ts';

// Admin API of notifications (templates, messages log, product settings, unsubscribes) and the public
// endpoints (phone codes, unsubscribe). Admin changes are audited in the same transaction.
const Event = Type.Union(NOTIFY_EVENTS.map((e) => Type.Literal(e)));
const Channel = Type.Union(NOTIFY_CHANNELS.map((c) => Type.Literal(c)));
const Scope = Type.Union([Type.Literal('default'), Type.Literal('product'), Type.Literal('campaign')]);
const Purpose = Type.Union(PHONE_CODE_PURPOSES.map((p) => Type.Literal(p)));

const TemplateInput = Type.Object(
  {
    scope: Scope,
    scope_id: Type.Optional(Type.String({ maxLength: 100, description: 'the product or campaign id; absent for default' })),
    event: Event,
    channel: Channel,
    locale: Type.Optional(Type.String({ pattern: '^[a-z]{2}-[A-Z]{2}$', default: 'zh-CN' })),
    subject: Type.Optional(Type.String({ maxLength: 200 })),
    body: Type.String({ minLength: 1, maxLength: 2000, description: `variables: ${TEMPLATE_VARIABLES.map((v) => `{{${v}}}`).join(' ')}` }),
    provider_template: Type.Optional(Type.String({ maxLength: 100, description: 'SMS: the provider template code (Aliyun TemplateCode)' })),
  },
  { additionalProperties: false },
);
const TemplateView = Type.Object({
  id: Type.Union([Type.String(), Type.Null()], { description: 'null for a built-in default' }),
  scope: Scope,
  scope_id: Type.String(),
  event: Event,
  channel: Channel,
  locale: Type.String(),
  subject: Type.String(),
  body: Type.String(),
  provider_template: Type.String(),
  built_in: Type.Boolean(),
  updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const MessageView = Type.Object({
  id: Type.String(),
  event: Type.String(),
  channel: Channel,
  category: Type.Union([Type.Literal('transactional'), Type.Literal('marketing')]),
  status: Type.Union(messageMachine.states.map((s) => Type.Literal(s))),
  recipient_masked: Type.String(),
  grant_id: Type.Union([Type.String(), Type.Null()]),
  product_id: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  last_error: Type.Union([Type.String(), Type.Null()]),
  skip_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
  sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const Settings = Type.Object(
  { send_codes: Type.Boolean({ description: 'messages may carry the plaintext code (each such message is audited)' }), renewal_url: Type.Union([Type.String({ format: 'uri', maxLength: 500 }), Type.Null()]) },
  { additionalProperties: false },
);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function checkTemplate(t: { scope: string; scope_id?: string; subject?: string; body: string }) {
  const unknown = unknownVariables(`${t.subject ?? ''} ${t.body}`);
  const errors = unknown.map((v) => ({ field: 'body', message: `unknown variable {{${v}}}; known: ${TEMPLATE_VARIABLES.join(', ')}` }));
  if (t.scope !== 'default' && !t.scope_id) errors.push({ field: 'scope_id', message: `required for scope ${t.scope}` });
  if (errors.length) throw validationFailed(errors, 'The template is not valid.');
}

export async function notifyRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const read = requireAdmin(ctx, 'notify:read');
  const write = requireAdmin(ctx, 'notify:write');

  app.get('/v1/admin/notify/templates', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Notification templates: stored ones and the built-in zh-CN defaults', response: { 200: Type.Object({ data: Type.Array(TemplateView), variables: Type.Array(Type.String()) }), ...problems(401, 403) } },
    handler: async () => {
      const stored = await ctx.db.selectFrom('notify_templates').selectAll().orderBy('scope').orderBy('event').orderBy('channel').execute();
      const builtIn = NOTIFY_EVENTS.flatMap((event) =>
        NOTIFY_CHANNELS.map((channel) => {
          const t = DEFAULT_TEMPLATES[event][channel];
          return { id: null, scope: 'default' as const, scope_id: '', event, channel, locale: 'zh-CN', subject: t.subject, body: t.body, provider_template: t.providerTemplate, built_in: true, updated_at: null };
        }),
      );
      const mine = stored.map((t) => ({ id: t.id, scope: t.scope, scope_id: t.scope_id, event: t.event as NotifyEvent, channel: t.channel, locale: t.locale, subject: t.subject, body: t.body, provider_template: t.provider_template, built_in: false, updated_at: iso(t.updated_at) }));
      return { data: [...mine, ...builtIn], variables: [...TEMPLATE_VARIABLES] };
    },
  });

  app.put('/v1/admin/notify/templates', {
    preValidation: write,
    schema: { tags: ['admin'], summary: 'Create or replace the template of a scope, event, channel and locale (unknown variables refused)', body: TemplateInput, response: { 200: TemplateView, ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      const b = req.body as { scope: 'default' | 'product' | 'campaign'; scope_id?: string; event: NotifyEvent; channel: 'sms' | 'email' | 'inapp'; locale?: string; subject?: string; body: string; provider_template?: string };
      checkTemplate(b);
      const scopeId = b.scope === 'default' ? '' : b.scope_id!;
      if (b.scope === 'product') await getProduct(ctx.db, scopeId);
      const row = await ctx.db.transaction().execute(async (tx) => {
        const r = await tx
          .insertInto('notify_templates')
          .values({ id: newId('ntp'), scope: b.scope, scope_id: scopeId, event: b.event, channel: b.channel, locale: b.locale ?? 'zh-CN', subject: b.subject ?? '', body: b.body, provider_template: b.provider_template ?? '', updated_by: req.admin!.id })
          .onConflict((oc) => oc.columns(['scope', 'scope_id', 'event', 'channel', 'locale']).doUpdateSet({ subject: b.subject ?? '', body: b.body, provider_template: b.provider_template ?? '', updated_by: req.admin!.id, updated_at: new Date() }))
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendAudit(tx, { actor: req.admin!.id, action: 'notify.template.save', target: r.id, details: { scope: b.scope, scope_id: scopeId, event: b.event, channel: b.channel, locale: r.locale } });
        return r;
      });
      return { id: row.id, scope: row.scope, scope_id: row.scope_id, event: row.event as NotifyEvent, channel: row.channel, locale: row.locale, subject: row.subject, body: row.body, provider_template: row.provider_template, built_in: false, updated_at: iso(row.updated_at) };
    },
  });

  app.post('/v1/admin/notify/templates/preview', {
    preValidation: read,
    schema: {
      tags: ['admin'],
      summary: 'Render a template with sample values (nothing is stored or sent)',
      body: Type.Object({ subject: Type.Optional(Type.String({ maxLength: 200 })), body: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ subject: Type.String(), body: Type.String() }), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const b = req.body as { subject?: string; body: string };
      checkTemplate({ scope: 'default', ...b });
      const sample = { product_name: '爱奇艺黄金会员月卡', redeem_url: `${ctx.config.publicUrl}/r/SAMPLE`, expires_at: '2026-12-31', brand_name: ctx.config.notify.brandName, code: '123456', card_code: 'XXXX-XXXX', renewal_url: 'https://example.com/renew', period_end: '2026-12-31', unsubscribe_url: `${ctx.config.publicUrl}/v1/public/unsubscribe/SAMPLE`, minutes: '5' };
      return { subject: render(b.subject ?? '', sample), body: render(b.body, sample) };
    },
  });

  app.get('/v1/admin/notify/messages', {
    preValidation: read,
    schema: {
      tags: ['admin'],
      summary: 'Messages, newest first (recipients masked; never the text)',
      querystring: Type.Object({ ...ListQuery, status: Type.Optional(Type.Union(messageMachine.states.map((s) => Type.Literal(s)))), channel: Type.Optional(Channel), event: Type.Optional(Event), grant_id: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false }),
      response: { 200: Page(MessageView), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; status?: 'queued'; channel?: 'sms'; event?: string; grant_id?: string };
      const limit = q.limit ?? 50;
      let query = ctx.db.selectFrom('notify_messages').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (q.cursor) query = query.where('id', '<', q.cursor);
      if (q.status) query = query.where('status', '=', q.status);
      if (q.channel) query = query.where('channel', '=', q.channel);
      if (q.event) query = query.where('event', '=', q.event);
      if (q.grant_id) query = query.where('grant_id', '=', q.grant_id);
      const rows = await query.execute();
      const data = rows.slice(0, limit).map((m) => ({ id: m.id, event: m.event, channel: m.channel, category: m.category, status: m.status, recipient_masked: m.recipient_masked, grant_id: m.grant_id, product_id: m.product_id, attempts: m.attempts, last_error: m.last_error, skip_reason: m.skip_reason, created_at: m.created_at.toISOString(), sent_at: iso(m.sent_at) }));
      return { data, next_cursor: rows.length > limit ? data[data.length - 1].id : null };
    },
  });

  app.get('/v1/admin/notify/products/:id/settings', {
    preValidation: read,
    schema: { tags: ['admin'], summary: "A product's notification settings", params: IdParam, response: { 200: Settings, ...problems(401, 403, 404) } },
    handler: async (req) => {
      const p = await getProduct(ctx.db, (req.params as { id: string }).id);
      const s = await ctx.db.selectFrom('notify_product_settings').selectAll().where('product_id', '=', p.id).executeTakeFirst();
      return { send_codes: s?.send_codes ?? false, renewal_url: s?.renewal_url ?? null };
    },
  });

  app.put('/v1/admin/notify/products/:id/settings', {
    preValidation: write,
    schema: { tags: ['admin'], summary: "Set a product's notification settings (send codes in messages: audited)", params: IdParam, body: Settings, response: { 200: Settings, ...problems(400, 401, 403, 404) } },
    handler: async (req) => {
      const p = await getProduct(ctx.db, (req.params as { id: string }).id);
      const b = req.body as { send_codes: boolean; renewal_url: string | null };
      await ctx.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('notify_product_settings')
          .values({ product_id: p.id, send_codes: b.send_codes, renewal_url: b.renewal_url, updated_by: req.admin!.id })
          .onConflict((oc) => oc.column('product_id').doUpdateSet({ send_codes: b.send_codes, renewal_url: b.renewal_url, updated_by: req.admin!.id, updated_at: new Date() }))
          .execute();
        await appendAudit(tx, { actor: req.admin!.id, action: 'notify.product_settings', target: p.id, details: { send_codes: b.send_codes, renewal_url: b.renewal_url } });
      });
      return b;
    },
  });

  app.get('/v1/admin/notify/unsubscribes', {
    preValidation: read,
    schema: { tags: ['admin'], summary: 'Recipients who unsubscribed from marketing messages (masked)', response: { 200: Type.Object({ data: Type.Array(Type.Object({ recipient_masked: Type.String(), channel: Type.String(), created_at: Type.String({ format: 'date-time' }) })) }), ...problems(401, 403) } },
    handler: async () => {
      const rows = await ctx.db.selectFrom('notify_unsubscribes').select(['recipient_masked', 'channel', 'created_at']).orderBy('created_at', 'desc').limit(500).execute();
      return { data: rows.map((r) => ({ ...r, created_at: r.created_at.toISOString() })) };
    },
  });

  // ---- public ------------------------------------------------------------------------------------------
  const unsubscribe = async (token: string) => {
    const id = messageOfUnsubscribeToken(ctx, token);
    const m = id ? await getMessage(ctx.db, id) : undefined;
    if (!m) return false;
    await addUnsubscribe(ctx.db, m.recipient_fp, m.recipient_masked, m.channel);
    return true;
  };
  const Token = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
  // GET as well as POST: the link in an SMS is opened, not posted; recording it twice changes nothing
  for (const method of ['get', 'post'] as const) {
    app[method]('/v1/public/unsubscribe/:token', {
      schema: { tags: ['notify'], summary: 'Unsubscribe from marketing messages (the signed link in a message)', params: Token, response: { ...problems(404) } },
      handler: async (req, reply) => {
        const done = await unsubscribe((req.params as { token: string }).token);
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html; charset=utf-8');
        if (!done) return reply.status(404).send('<!doctype html><meta charset="utf-8"><p>链接无效 / Invalid link.</p>');
        return reply.send('<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><p>已退订营销消息。You are unsubscribed from marketing messages.</p>');
      },
    });
  }

  app.post('/v1/public/phone-codes', {
    schema: {
      tags: ['notify'],
      summary: 'Send a 6-digit verification code by SMS (valid 5 min; resend after 60 s)',
      body: Type.Object({ phone: Type.String({ minLength: 6, maxLength: 32, pattern: PHONE_PATTERN }), purpose: Purpose }, { additionalProperties: false }),
      response: { 202: Type.Object({ retry_after_seconds: Type.Integer() }), ...problems(400, 429) },
    },
    handler: async (req, reply) => {
      const b = req.body as { phone: string; purpose: string };
      reply.header('cache-control', 'no-store');
      return reply.status(202).send(await requestPhoneCode(ctx, { ...b, ip: req.ip }, reply));
    },
  });

  app.post('/v1/public/phone-codes/verify', {
    schema: {
      tags: ['notify'],
      summary: 'Verify a code: sets the quanyi_phone cookie (HttpOnly, 30 min) that proves the phone',
      body: Type.Object({ phone: Type.String({ minLength: 6, maxLength: 32, pattern: PHONE_PATTERN }), code: Type.String({ minLength: 1, maxLength: 12 }), purpose: Purpose }, { additionalProperties: false }),
      response: { 200: Type.Object({ phone_masked: Type.String() }), ...problems(400, 429) },
    },
    handler: async (req, reply) => {
      const b = req.body as { phone: string; code: string; purpose: string };
      const r = await verifyPhoneCode(ctx, b);
      reply.setCookie(PHONE_PROOF_COOKIE, r.proof, { httpOnly: true, sameSite: 'lax', secure: ctx.config.publicUrl.startsWith('https://'), path: '/', maxAge: PHONE_PROOF_TTL_SECONDS });
      reply.header('cache-control', 'no-store');
      return { phone_masked: r.phone_masked };
    },
  });
}
