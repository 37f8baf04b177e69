import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { assertPermission, can } from './permissions.ts';

// Who is signed in to the console. The identity module implements SessionResolver; platform only needs this.
export interface AdminPrincipal {
  id: string;
  email: string;
  role: Role;
  status?: string;
}

export interface SessionResolver {
  user(token: string): Promise<AdminPrincipal | null>;
  end(token: string): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal;
  }
}

export const SESSION_COOKIE = 'quanyi_session';

/** preValidation hook for admin routes (runs before body validation, so the unauthenticated learn nothing): a live session whose role holds `permission`, else 401 / 403. */
export function requireAdmin(ctx: Pick<AppContext, 'sessions'>, permission: string) {
  assertPermission(permission);
  return async function checkAdmin(req: FastifyRequest, _reply: FastifyReply) {
    const token = req.cookies?.[SESSION_COOKIE];
    const user = token ? await ctx.sessions.user(token) : null;
    if (!user) throw unauthorized('not_signed_in', 'Sign in to the admin console first.');
    if (!can(user.role, permission)) throw forbidden(`The ${user.role} role may not do this (${permission}).`);
    req.admin = user;
  };
}
