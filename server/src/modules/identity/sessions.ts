import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { inTx, type Executor } from '../../platform/db/db.ts';
import type { AdminPrincipal, SessionLookup, SessionResolver } from '../../platform/auth/admin-auth.ts';
import { appendAudit } from '../audit/index.ts';

// Console sessions, server-side: only the SHA-256 of a session token is stored. A session ends at its
// absolute expiry, when it was not used for the idle timeout, on sign-out, and when an admin disables its
// user or resets their password.

/** Signs a user in: a new session, audited as `admin.login`. */
export async function createSession(db: Executor, userId: string, ttlHours: number, meta: { ip?: string; userAgent?: string }) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await inTx(db, async (tx) => {
    await tx.deleteFrom('admin_sessions').where('user_id', '=', userId).where('expires_at', '<=', sql<Date>`now()`).execute();
    await tx
      .insertInto('admin_sessions')
      .values({ token_hash: tokenHash(token), user_id: userId, expires_at: expiresAt, ip: meta.ip ?? null, user_agent: meta.userAgent?.slice(0, 300) ?? null })
      .execute();
    await tx.updateTable('admin_users').set({ last_login_at: new Date() }).where('id', '=', userId).execute();
    await appendAudit(tx, { actor: userId, action: 'admin.login', target: userId, details: { ip: meta.ip ?? null } });
  });
  return { token, expiresAt };
}

/**
 * How long after the last recorded use a session's last-seen time is moved forward: about once a minute, so
 * a busy console does not write on every request — but often enough (a quarter of the timeout) that a short
 * idle timeout never ends a session that was in use.
 */
export const touchAfterSeconds = (idleSeconds: number) => Math.min(60, Math.floor(idleSeconds / 4));

/** One read; a write only when the session's last-seen time is stale. */
export async function lookupSession(db: Executor, token: string, idleSeconds: number): Promise<SessionLookup> {
  const hashed = tokenHash(token);
  const row = await db
    .selectFrom('admin_sessions as s')
    .innerJoin('admin_users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.email', 'u.role', 'u.status'])
    // the database's clock on both sides, so app servers with skewed clocks agree
    .select(sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${idleSeconds})`.as('idle'))
    .select(sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${touchAfterSeconds(idleSeconds)})`.as('stale'))
    .where('s.token_hash', '=', hashed)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  if (!row || row.status !== 'active') return { state: 'none' };
  // An idle session is not deleted: nothing touches it again, so it stays idle, and every request that still
  // carries its cookie hears `session_expired`. Deleting it made the requests a console sends at once race: the
  // first heard "expired", the others "not signed in", and the login page could lose the reason. The row goes
  // at its absolute expiry (pruned at its user's next sign-in).
  if (row.idle) return { state: 'idle' };
  if (row.stale) {
    await db
      .updateTable('admin_sessions')
      .set({ last_seen_at: sql`now()` })
      .where('token_hash', '=', hashed)
      .where('last_seen_at', '<', sql<Date>`now() - make_interval(secs => ${touchAfterSeconds(idleSeconds)})`)
      .execute();
  }
  return { state: 'active', user: { id: row.id, email: row.email, role: row.role } };
}

export async function endSession(db: Executor, token: string) {
  await db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/** Ends every session of a user (disabled, password reset); returns how many. */
export async function endUserSessions(db: Executor, userId: string): Promise<number> {
  const r = await db.deleteFrom('admin_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Session lookups for admin routes. On the embedded database a lookup is cached for a few seconds: the one
 * connection is held for the whole of an import, and without the cache an admin could not even read the
 * import's progress meanwhile. There is one process, so signing out, disabling a user or resetting their
 * password (which evict) take effect at once. The cache lives far shorter than the shortest idle timeout
 * (one minute) and the last-seen time is moved by the lookup that fills it.
 * On PostgreSQL (several processes, revocation must be immediate everywhere) nothing is cached.
 */
export class SessionDirectory implements SessionResolver {
  private readonly cache = new Map<string, { user: AdminPrincipal; until: number }>();
  constructor(
    private readonly db: Executor,
    private readonly ttlMs: number,
  ) {}

  async lookup(token: string, idleSeconds: number): Promise<SessionLookup> {
    if (this.ttlMs > 0) {
      const hit = this.cache.get(token);
      if (hit && hit.until > Date.now()) return { state: 'active', user: hit.user };
    }
    const found = await lookupSession(this.db, token, idleSeconds);
    if (found.state === 'active' && this.ttlMs > 0) {
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(token, { user: found.user, until: Date.now() + this.ttlMs });
    }
    return found;
  }

  async end(token: string) {
    this.cache.delete(token);
    await endSession(this.db, token);
  }

  forgetUser(userId: string) {
    for (const [token, entry] of this.cache) if (entry.user.id === userId) this.cache.delete(token);
  }
}
