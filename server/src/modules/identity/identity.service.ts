import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { inTx, type Executor } from '../../platform/db/db.ts';
import { appendAudit } from '../audit/index.ts';
import type { Role } from '../../platform/db/schema.ts';
import { conflict, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import type { AdminPrincipal, SessionResolver } from '../../platform/auth/admin-auth.ts';

// Admin users with argon2id passwords and server-side sessions (only the SHA-256 of a session token is stored).
export type AdminUser = AdminPrincipal;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one spelling of an email: NFKC (full-width ＠ and letters fold to ASCII), trimmed, lower-case. Used
 * to store, to look up and to key the login limit, so no spelling counts as another account.
 */
export const normaliseEmail = (email: string) => email.normalize('NFKC').trim().toLowerCase();

/** Creates an admin user, audited as `actor`. */
export async function createAdminUser(db: Executor, input: { email: string; password: string; role?: string }, actor: string): Promise<AdminUser> {
  const email = normaliseEmail(input.email);
  const role = (input.role ?? 'admin') as Role;
  const problems = [];
  if (!EMAIL.test(email)) problems.push({ field: 'email', message: 'must be an email address' });
  if (input.password.length < 10) problems.push({ field: 'password', message: 'must be at least 10 characters' });
  if (!ROLES.includes(role)) problems.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  if (problems.length) throw validationFailed(problems);
  const passwordHash = await hash(input.password); // argon2id, library defaults (m=19 MiB, t=2)
  const id = newId('usr');
  return inTx(db, async (tx) => {
    const row = await tx
      .insertInto('admin_users')
      .values({ id, email, password_hash: passwordHash, role })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning(['id', 'email', 'role'])
      .executeTakeFirst();
    if (!row) throw conflict('email_taken', `An admin user with email ${email} already exists.`);
    await appendAudit(tx, { actor, action: 'admin_user.create', target: row.id, details: { email: row.email, role: row.role } });
    return row;
  });
}

// A fixed hash to verify against when the email is unknown, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;

export async function checkPassword(db: Executor, emailInput: string, password: string): Promise<AdminUser | null> {
  const email = normaliseEmail(emailInput);
  const row = await db.selectFrom('admin_users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!row || row.status !== 'active') {
    dummyHash ??= hash('not-a-real-password');
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(row.password_hash, password).catch(() => false);
  return ok ? { id: row.id, email: row.email, role: row.role } : null;
}

/** Signs a user in: a new session, audited as `admin.login`. */
export async function createSession(db: Executor, userId: string, ttlHours: number, meta: { ip?: string; userAgent?: string }) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await inTx(db, async (tx) => {
    await tx
      .insertInto('admin_sessions')
      .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 300) ?? null })
      .execute();
    await tx.updateTable('admin_users').set({ last_login_at: new Date() }).where('id', '=', userId).execute();
    await appendAudit(tx, { actor: userId, action: 'admin.login', target: userId, details: { ip: meta.ip ?? null } });
  });
  return { token, expiresAt };
}

export async function sessionUser(db: Executor, token: string): Promise<AdminUser | null> {
  const row = await db
    .selectFrom('admin_sessions as s')
    .innerJoin('admin_users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.role', 'u.status'])
    .where('s.token_hash', '=', tokenHash(token))
    .where('s.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row || row.status !== 'active') return null;
  return { id: row.id, email: row.email, role: row.role };
}

export async function endSession(db: Executor, token: string) {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/**
 * Session lookups for admin routes. On the embedded database a lookup is cached for a few seconds: the one
 * connection is held for the whole of an import, and without the cache an admin could not even read the
 * import's progress meanwhile. There is one process, so signing out (which evicts) takes effect at once.
 * On PostgreSQL (several processes, revocation must be immediate everywhere) nothing is cached.
 */
export class SessionDirectory implements SessionResolver {
  private readonly cache = new Map<string, { user: AdminUser; until: number }>();
  constructor(
    private readonly db: Executor,
    private readonly ttlMs: number,
  ) {}

  async user(token: string): Promise<AdminUser | null> {
    if (this.ttlMs > 0) {
      const hit = this.cache.get(token);
      if (hit && hit.until > Date.now()) return hit.user;
    }
    const user = await sessionUser(this.db, token);
    if (user && this.ttlMs > 0) {
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(token, { user, until: Date.now() + this.ttlMs });
    }
    return user;
  }

  async end(token: string) {
    this.cache.delete(token);
    await endSession(this.db, token);
  }
}
