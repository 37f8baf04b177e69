import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { assertConsoleHeader, requireAdmin, SESSION_COOKIE, type AdminPrincipal } from '../../platform/auth/admin-auth.ts';
import { unauthorized } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { checkPassword, createAdminUser, normaliseEmail } from './identity.service.ts';
import { permissionsOf, ROLES } from '../../platform/auth/permissions.ts';
import { createSession } from './sessions.ts';
import { verifyTotpCode } from './totp.service.ts';
import { getAdminUser } from './users.service.ts';

const Me = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: Type.String(),
  permissions: Type.Array(Type.String()),
  totp_enabled: Type.Boolean(),
  idle_timeout_seconds: Type.Integer({ description: 'the session ends after this long without a request (401 session_expired)' }),
});

export const TotpCode = Type.String({ pattern: '^[0-9]{6}$', description: 'the 6-digit code of the authenticator app' });

export async function identityRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  const secure = ctx.config.publicUrl.startsWith('https://');
  const me = async (user: AdminPrincipal) => ({
    id: user.id,
    email: user.email,
    role: user.role,
    permissions: permissionsOf(user.role),
    totp_enabled: (await getAdminUser(ctx.db, user.id))?.totp_enabled ?? false,
    idle_timeout_seconds: ctx.config.sessionIdleMinutes * 60,
  });

  app.post('/v1/admin/login', {
    // before the body is read: a forged cross-site login (login CSRF) is refused without touching the throttle
    preValidation: async (req) => assertConsoleHeader(req),
    schema: {
      tags: ['admin'],
      summary: 'Sign in; sets an HTTP-only session cookie. Users with TOTP on also send `totp` (401 totp_required without it)',
      body: Type.Object(
        { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 1000 }), totp: Type.Optional(TotpCode) },
        { additionalProperties: false },
      ),
      response: { 200: Me, ...problems(400, 401, 403, 429) },
    },
    handler: async (req, reply) => {
      const { email, password, totp } = req.body as { email: string; password: string; totp?: string };
      // keyed on the same normalised email the lookup uses: padding or case cannot reset the count; a wrong
      // TOTP code counts against the same limit as a wrong password
      await ctx.limits.login.consume(`${req.ip}:${normaliseEmail(email)}`, reply);
      const user = await checkPassword(ctx.db, email, password);
      if (!user) throw unauthorized('invalid_credentials', 'Email or password is wrong.');
      if (user.totpEnabled) {
        if (!totp) throw unauthorized('totp_required', 'Enter the code of your authenticator app.');
        if (!(await verifyTotpCode(ctx, user.id, totp))) throw unauthorized('invalid_credentials', 'Email, password or code is wrong.');
      }
      const session = await createSession(ctx.db, user.id, ctx.config.sessionTtlHours, { ip: req.ip, userAgent: req.headers['user-agent'] });
      reply.setCookie(SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'strict', secure, path: '/', expires: session.expiresAt });
      return me(user);
    },
  });

  app.post('/v1/admin/logout', {
    preValidation: async (req) => assertConsoleHeader(req),
    schema: { tags: ['admin'], summary: 'Sign out', response: { ...problems(403) } },
    handler: async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await ctx.sessions.end(token);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  });

  app.get('/v1/admin/me', {
    preValidation: requireAdmin(ctx, 'products:read'),
    schema: { tags: ['admin'], summary: 'The signed-in user', response: { 200: Me, ...problems(401, 403) } },
    handler: async (req) => me(req.admin!),
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
