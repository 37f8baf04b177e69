import { hash, verify } from '@node-rs/argon2';
import { inTx, type Executor } from '../../platform/db/db.ts';
import { appendAudit } from '../audit/index.ts';
import type { Role } from '../../platform/db/schema.ts';
import { conflict, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { ROLES } from '../../platform/auth/permissions.ts';
import type { AdminPrincipal } from '../../platform/auth/admin-auth.ts';

// Admin users with argon2id passwords (sessions: sessions.ts; the users page: users.service.ts; TOTP: totp.service.ts).
export type AdminUser = AdminPrincipal;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The one spelling of an email: NFKC (full-width ＠ and letters fold to ASCII), trimmed, lower-case. Used
 * to store, to look up and to key the login limit, so no spelling counts as another account.
 */
export const normaliseEmail = (email: string) => email.normalize('NFKC').trim().toLowerCase();

export const PASSWORD_MIN_LENGTH = 10;

export const passwordProblem = (password: string) =>
  password.length < PASSWORD_MIN_LENGTH ? { field: 'password', message: `must be at least ${PASSWORD_MIN_LENGTH} characters` } : null;

/** argon2id with the library defaults (m=19 MiB, t=2). */
export const hashPassword = (password: string) => hash(password);

/** Creates an admin user, audited as `actor`. */
export async function createAdminUser(db: Executor, input: { email: string; password: string; role?: string }, actor: string): Promise<AdminUser> {
  const email = normaliseEmail(input.email);
  const role = (input.role ?? 'admin') as Role;
  const problems = [];
  if (!EMAIL.test(email)) problems.push({ field: 'email', message: 'must be an email address' });
  const weak = passwordProblem(input.password);
  if (weak) problems.push(weak);
  if (!ROLES.includes(role)) problems.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  if (problems.length) throw validationFailed(problems);
  const passwordHash = await hashPassword(input.password);
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

/** The active user with this email and password (and whether a TOTP code is needed too), or null. */
export async function checkPassword(db: Executor, emailInput: string, password: string): Promise<(AdminUser & { totpEnabled: boolean }) | null> {
  const email = normaliseEmail(emailInput);
  const row = await db.selectFrom('admin_users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!row || row.status !== 'active') {
    dummyHash ??= hash('not-a-real-password');
    await verify(await dummyHash, password).catch(() => false);
    return null;
  }
  const ok = await verify(row.password_hash, password).catch(() => false);
  return ok ? { id: row.id, email: row.email, role: row.role, totpEnabled: row.totp_enabled_at !== null } : null;
}
