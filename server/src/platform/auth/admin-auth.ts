import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { forbidden, unauthorized } from '../errors.ts';
import type { AdminUser } from '../../modules/identity/identity.service.ts';
import { can, type Permission } from '../../modules/identity/permissions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminUser;
  }
}

export const SESSION_COOKIE = 'quanyi_session';

/** preValidation hook for admin routes (runs before body validation, so the unauthenticated learn nothing): a live session whose role holds `permission`, else 401 / 403. */
export function requireAdmin(ctx: Pick<AppContext, 'sessions'>, permission: Permission) {
  return async function checkAdmin(req: FastifyRequest, _reply: FastifyReply) {
    const token = req.cookies?.[SESSION_COOKIE];
    const user = token ? await ctx.sessions.user(token) : null;
    if (!user) throw unauthorized('not_signed_in', 'Sign in to the admin console first.');
    if (!can(user.role, permission)) throw forbidden(`The ${user.role} role may not do this (${permission}).`);
    req.admin = user;
  };
}
