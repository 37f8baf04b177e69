import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import type { Role } from '../../platform/db/schema.ts';
import { IdParam, ListQuery, Page, problems } from '../../platform/http/schemas.ts';
import { resetTotp } from './totp.service.ts';
import { listAdminUsers, resetAdminPassword, updateAdminUser, type AdminUserChange, type AdminUserView } from './users.service.ts';

// The admin users page (admin role only): list, change role or status, reset a password or a lost TOTP.

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const StatusSchema = Type.Union([Type.Literal('active'), Type.Literal('disabled')]);

const AdminUser = Type.Object({
  id: Type.String(),
  email: Type.String(),
  role: RoleSchema,
  status: StatusSchema,
  totp_enabled: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  last_login_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

const view = (u: AdminUserView) => ({ ...u, created_at: u.created_at.toISOString(), last_login_at: u.last_login_at?.toISOString() ?? null });
const userId = (req: { params: unknown }) => (req.params as { id: string }).id;

export async function userRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.get('/v1/admin/users', {
    preValidation: requireAdmin(ctx, 'users:read'),
    schema: {
      tags: ['admin'],
      summary: 'Admin users, newest first',
      querystring: Type.Object(
        { ...ListQuery, role: Type.Optional(RoleSchema), status: Type.Optional(StatusSchema), email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'any part of the address' })) },
        { additionalProperties: false },
      ),
      response: { 200: Page(AdminUser), ...problems(400, 401, 403) },
    },
    handler: async (req) => {
      const q = req.query as { limit?: number; cursor?: string; role?: Role; status?: 'active' | 'disabled'; email?: string };
      const page = await listAdminUsers(ctx.db, { ...q, limit: q.limit ?? 50 });
      return { data: page.data.map(view), next_cursor: page.next_cursor };
    },
  });

  app.patch('/v1/admin/users/:id', {
    preValidation: requireAdmin(ctx, 'users:write'),
    schema: {
      tags: ['admin'],
      summary: "Change a user's role or status; disabling ends their sessions. Nobody can disable or demote themselves, nor the last active admin",
      params: IdParam,
      body: Type.Object({ role: Type.Optional(RoleSchema), status: Type.Optional(StatusSchema) }, { additionalProperties: false, minProperties: 1 }),
      response: { 200: AdminUser, ...problems(400, 401, 403, 404, 409) },
    },
    handler: async (req) => view(await updateAdminUser(ctx, userId(req), req.body as AdminUserChange, req.admin!.id)),
  });

  app.post('/v1/admin/users/:id/reset-password', {
    preValidation: requireAdmin(ctx, 'users:write'),
    schema: {
      tags: ['admin'],
      summary: "Set a new password (at least 10 characters); ends the user's sessions",
      params: IdParam,
      body: Type.Object({ password: Type.String({ minLength: 10, maxLength: 1000 }) }, { additionalProperties: false }),
      response: { 200: AdminUser, ...problems(400, 401, 403, 404) },
    },
    handler: async (req) => view(await resetAdminPassword(ctx, userId(req), (req.body as { password: string }).password, req.admin!.id)),
  });

  app.post('/v1/admin/users/:id/totp/reset', {
    preValidation: requireAdmin(ctx, 'users:write'),
    schema: {
      tags: ['admin'],
      summary: "Clear a user's TOTP (a lost phone): they sign in with the password and may enrol again",
      params: IdParam,
      response: { 200: Type.Object({ id: Type.String(), was_enabled: Type.Boolean() }), ...problems(401, 403, 404) },
    },
    handler: async (req) => ({ id: userId(req), ...(await resetTotp(ctx.db, userId(req), req.admin!.id)) }),
  });
}
