import { sql } from 'kysely';
import type { SessionResolver } from '../../platform/auth/admin-auth.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import { inTx, type Executor } from '../../platform/db/db.ts';
import type { Role } from '../../platform/db/schema.ts';
import { conflict, fail, notFound, validationFailed } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';
import { hashPassword, normaliseEmail, passwordProblem } from './identity.service.ts';
import { endUserSessions } from './sessions.ts';
import { adminUserMachine, eventTo, type AdminUserStatus } from './user.machine.ts';

// The admin users page: list, change role or status, reset a password. Every change is audited here, in the
// transaction that makes it.

export interface AdminUserView {
  id: string;
  email: string;
  role: Role;
  status: AdminUserStatus;
  totp_enabled: boolean;
  created_at: Date;
  last_login_at: Date | null;
}

export interface UsersDeps {
  db: Executor;
  /** evicts cached sessions of a user whose access changed */
  sessions: Pick<SessionResolver, 'forgetUser'>;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

function userColumns(db: Executor) {
  return db
    .selectFrom('admin_users')
    .select(['id', 'email', 'role', 'status', 'created_at', 'last_login_at'])
    .select(sql<boolean>`totp_enabled_at IS NOT NULL`.as('totp_enabled'));
}

/** Newest first; `email` matches any part of the address. */
export async function listAdminUsers(db: Executor, opts: { limit: number; cursor?: string; role?: Role; status?: AdminUserStatus; email?: string }) {
  let q = userColumns(db).orderBy('id', 'desc').limit(opts.limit + 1);
  if (opts.cursor) q = q.where('id', '<', opts.cursor);
  if (opts.role) q = q.where('role', '=', opts.role);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.email) q = q.where(sql<boolean>`email LIKE ${'%' + escapeLike(normaliseEmail(opts.email)) + '%'}`);
  const rows = (await q.execute()) as AdminUserView[];
  const data = rows.slice(0, opts.limit);
  return { data, next_cursor: rows.length > opts.limit ? data[data.length - 1].id : null };
}

export async function getAdminUser(db: Executor, id: string): Promise<AdminUserView | null> {
  return ((await userColumns(db).where('id', '=', id).executeTakeFirst()) as AdminUserView | undefined) ?? null;
}

export interface AdminUserChange {
  role?: string;
  status?: AdminUserStatus;
}

/**
 * Changes a user's role and/or status. An admin cannot disable or demote themselves, and no change may leave
 * the platform without an active admin. That last rule is one conditional statement: it first locks every
 * active admin row (in id order, so two such statements never deadlock), then updates only if the target stays
 * an active admin, was not one, or another active admin remains. Two admins demoting each other at once: the
 * second waits for the first's locks, re-reads the rows, finds no other admin and changes nothing — a
 * read-then-write in two statements would let both through. Disabling ends the user's sessions.
 */
export async function updateAdminUser(deps: UsersDeps, id: string, change: AdminUserChange, actor: string): Promise<AdminUserView> {
  if (change.role === undefined && change.status === undefined) throw validationFailed([{ field: 'role', message: 'give role and/or status' }]);
  if (change.role !== undefined && !ROLES.includes(change.role as Role)) throw validationFailed([{ field: 'role', message: `must be one of ${ROLES.join(', ')}` }]);
  if (change.status !== undefined && !adminUserMachine.states.includes(change.status)) {
    throw validationFailed([{ field: 'status', message: `must be one of ${adminUserMachine.states.join(', ')}` }]);
  }
  if (id === actor && (change.status === 'disabled' || (change.role !== undefined && change.role !== 'admin'))) {
    throw conflict('own_access', 'You cannot disable or demote yourself; ask another admin.');
  }
  const role = change.role ?? null;
  const status = change.status ?? null;
  // the machine's guard, plus the target itself: setting a status a user already has changes nothing and is fine
  const sources = status ? [...adminUserMachine.sourcesOf(eventTo(status)), status] : adminUserMachine.states;
  const updated = await inTx(deps.db, async (tx) => {
    const r = await sql<{ id: string }>`
      WITH admins AS MATERIALIZED (
        SELECT id FROM admin_users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE
      )
      UPDATE admin_users u
         SET role = coalesce(${role}::text, u.role), status = coalesce(${status}::text, u.status)
       WHERE u.id = ${id}
         AND u.status = ANY(${sources}::text[])
         AND (
           (coalesce(${role}::text, u.role) = 'admin' AND coalesce(${status}::text, u.status) = 'active')
           OR NOT (u.role = 'admin' AND u.status = 'active')
           OR (SELECT count(*) FROM admins WHERE admins.id <> u.id) > 0
         )
      RETURNING u.id`.execute(tx);
    if (!r.rows.length) {
      if (!(await getAdminUser(tx, id))) throw notFound('Admin user', id);
      throw fail('last_admin', 'This change would leave no active admin user.');
    }
    const sessionsEnded = status === 'disabled' ? await endUserSessions(tx, id) : 0;
    await appendAudit(tx, { actor, action: 'admin_user.update', target: id, details: { ...change, sessions_ended: sessionsEnded } });
    return (await getAdminUser(tx, id))!;
  });
  deps.sessions.forgetUser(id);
  return updated;
}

/** Sets a new password (at least 10 characters) and ends every session of the user. */
export async function resetAdminPassword(deps: UsersDeps, id: string, password: string, actor: string): Promise<AdminUserView> {
  const weak = passwordProblem(password);
  if (weak) throw validationFailed([weak]);
  const passwordHash = await hashPassword(password);
  const user = await inTx(deps.db, async (tx) => {
    const r = await tx.updateTable('admin_users').set({ password_hash: passwordHash }).where('id', '=', id).returning('id').executeTakeFirst();
    if (!r) throw notFound('Admin user', id);
    const sessionsEnded = await endUserSessions(tx, id);
    await appendAudit(tx, { actor, action: 'admin_user.reset_password', target: id, details: { sessions_ended: sessionsEnded } });
    return (await getAdminUser(tx, id))!;
  });
  deps.sessions.forgetUser(id);
  return user;
}
