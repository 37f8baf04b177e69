import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import type { Role } from '../db/schema.ts';
import { fail, forbidden, unauthorized } from '../errors.ts';
import { assertPermission, can } from './permissions.ts';

// Who is signed in to the console. The identity module implements SessionResolver; platform only needs this.
export interface AdminPrincipal {
  id: string;
  email: string;
  role: Role;
  status?: string;
}

/** What a session token is worth now: a user, a session that idled out, or nothing. */
export type SessionLookup = { state: 'active'; user: AdminPrincipal } | { state: 'idle' } | { state: 'none' };

export interface SessionResolver {
  /** the session's user; a session unused for longer than `idleSeconds` is ended and answers `idle` */
  lookup(token: string, idleSeconds: number): Promise<SessionLookup>;
  end(token: string): Promise<void>;
  /** drops whatever this process remembers of the user's sessions (after a disable, demotion, password reset) */
  forgetUser(userId: string): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    admin?: AdminPrincipal;
  }
}

export const SESSION_COOKIE = 'quanyi_session';

/**
 * The console sends `X-Quanyi-Console: 1` on every request. A cross-site form cannot set a header at all, and
 * a cross-site fetch can only with a CORS preflight, which this server never grants — so a request carrying
 * it was made by a page of our own origin (or by a non-browser client, which has no ambient cookie to abuse).
 */
export const CONSOLE_HEADER = 'x-quanyi-console';

export function assertConsoleHeader(req: FastifyRequest): void {
  if (req.headers[CONSOLE_HEADER] !== '1') {
    throw fail('console_header_missing', 'Admin requests must carry the header X-Quanyi-Console: 1.');
  }
}

/**
 * preValidation hook for admin routes (runs before body validation, so the unauthenticated learn nothing): a
 * session cookie sent with the console header, a live session (not past its TTL, not idle too long) whose
 * role holds `permission`; else 401 / 403.
 */
export function requireAdmin(ctx: Pick<AppContext, 'sessions' | 'config'>, permission: string) {
  assertPermission(permission);
  return async function checkAdmin(req: FastifyRequest, _reply: FastifyReply) {
    const token = req.cookies?.[SESSION_COOKIE];
    if (!token) throw unauthorized('not_signed_in', 'Sign in to the admin console first.');
    // checked before the session is even looked up: a forged cross-site request learns nothing, touches nothing
    assertConsoleHeader(req);
    const found = await ctx.sessions.lookup(token, ctx.config.sessionIdleMinutes * 60);
    if (found.state === 'idle') throw unauthorized('session_expired', 'The session was idle for too long; sign in again.');
    if (found.state === 'none') throw unauthorized('not_signed_in', 'Sign in to the admin console first.');
    const user = found.user;
    if (!can(user.role, permission)) throw forbidden(`The ${user.role} role may not do this (${permission}).`);
    req.admin = user;
  };
}
