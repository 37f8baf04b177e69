import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin, SESSION_COOKIE } from '../../platform/auth/admin-auth.ts';
import { unauthorized } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { checkPassword, createAdminUser, createSession, normaliseEmail } from './identity.service.ts';
import { permissionsOf, ROLES } from '../../platform/auth/permissions.ts';

const Me = Type.Object({ id: Type.String(), email: Type.String(), role: Type.String(), permissions: Type.Array(Type.String()) });

export async function identityRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const secure = ctx.config.publicUrl.startsWith('https://');

  app.post('/v1/admin/login', {
    schema: {
      tags: ['admin'],
      summary: 'Sign in; sets an HTTP-only session cookie',
      body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
      response: { 200: Me, ...problems(400, 401, 429) },
    },
    handler: async (req, reply) => {
      const { email, password } = req.body as { email: string; password: string };
      // keyed on the same normalised email the lookup uses: padding or case cannot reset the count
      await ctx.limits.login.consume(`${req.ip}:${normaliseEmail(email)}`, reply);
      const user = await checkPassword(ctx.db, email, password);
      if (!user) throw unauthorized('invalid_credentials', 'Email or password is wrong.');
      const session = await createSession(ctx.db, user.id, ctx.config.sessionTtlHours, { ip: req.ip, userAgent: req.headers['user-agent'] });
      reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: session.expiresAt });
      return { ...user, permissions: permissionsOf(user.role) };
    },
  });

  app.post('/v1/admin/logout', { schema: { tags: ['admin'], summary: 'Sign out' } }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await ctx.sessions.end(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/v1/admin/me', {
    preValidation: requireAdmin(ctx, 'products:read'),
    schema: { tags: ['admin'], summary: 'The signed-in user', response: { 200: Me, ...problems(401) } },
    handler: async (req) => ({ ...req.admin!, permissions: permissionsOf(req.admin!.role) }),
  });

  app.post('/v1/admin/users', {
    preValidation: requireAdmin(ctx, 'users:write'),
    schema: {
      tags: ['admin'],
      summary: 'Create an admin user',
      body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ minLength: 10, maxLength: 1000 }), role: Type.Union(ROLES.map((r) => Type.Literal(r))) }, { additionalProperties: false }),
      response: { 201: Type.Object({ id: Type.String(), email: Type.String(), role: Type.String() }), ...problems(400, 401, 403, 409) },
    },
    handler: async (req, reply) => {
      const user = await createAdminUser(ctx.db, req.body as { email: string; password: string; role: string }, req.admin!.id);
      return reply.status(201).send(user);
    },
  });
}
