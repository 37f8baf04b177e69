import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import { sql } from 'kysely';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import { inTx, type Executor } from '../../platform/db/db.ts';
import { conflict, notFound, unauthorized } from '../../platform/errors.ts';
import { appendAudit } from '../audit/index.ts';

// Optional TOTP for admin users (RFC 6238: SHA-1, 6 digits, 30 s steps — what every authenticator app
// reads from a QR code). The secret is sealed under the master keyring like client secrets, and is pending
// until the user proves their app holds it by confirming one code. A code is accepted once: the step of the
// last accepted code is stored and only later steps pass (RFC 6238 §5.2), in one conditional UPDATE so two
// requests racing with the same code cannot both win. Neither secret nor code is ever audited or logged.

export interface TotpDeps {
  db: Executor;
  keyring: Keyring;
}

const ISSUER = 'Quanyi';
/** one step either side: a phone clock off by up to ~30 s still works */
const WINDOW = 1;
const secretContext = (userId: string) => 'admin-totp:' + userId;

const totpFor = (secret: Secret, label: string) => new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret });

interface TotpRow {
  id: string;
  email: string;
  totp_secret_wrapped: Uint8Array | null;
  totp_master_key_id: string | null;
  totp_enabled_at: Date | null;
}

async function totpRow(db: Executor, userId: string): Promise<TotpRow> {
  const row = await db
    .selectFrom('admin_users')
    .select(['id', 'email', 'totp_secret_wrapped', 'totp_master_key_id', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('Admin user', userId);
  return row;
}

/** Starts (or restarts) an enrolment: a new pending secret, returned as an otpauth:// URL and its QR code. */
export async function startTotpEnrolment(deps: TotpDeps, userId: string): Promise<{ otpauth_url: string; qr_svg: string }> {
  const row = await totpRow(deps.db, userId);
  if (row.totp_enabled_at) throw conflict('totp_already_enabled', 'TOTP is already active; disable it first to enrol a new device.');
  const secret = new Secret({ size: 20 });
  const w = deps.keyring.wrap(Buffer.from(secret.bytes), secretContext(userId));
  await inTx(deps.db, async (tx) => {
    const r = await tx
      .updateTable('admin_users')
      .set({ totp_secret_wrapped: w.wrapped, totp_master_key_id: w.masterKeyId, totp_last_step: null })
      .where('id', '=', userId)
      .where('totp_enabled_at', 'is', null)
      .executeTakeFirst();
    if (!Number(r.numUpdatedRows)) throw conflict('totp_already_enabled', 'TOTP is already active; disable it first to enrol a new device.');
    await appendAudit(tx, { actor: userId, action: 'admin.totp_enrol', target: userId, details: {} });
  });
  const otpauthUrl = totpFor(secret, row.email).toString();
  return { otpauth_url: otpauthUrl, qr_svg: await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) };
}

/**
 * Checks `code` against the user's secret (active, or pending when `pending`) and, when it matches a step
 * later than the last accepted one, records that step (and, for a pending secret, activates it). False for a
 * wrong or replayed code.
 */
async function acceptCode(deps: TotpDeps, tx: Executor, row: TotpRow, code: string, pending: boolean): Promise<boolean> {
  if (!row.totp_secret_wrapped || !row.totp_master_key_id || (row.totp_enabled_at === null) !== pending) return false;
  const wrapped = Buffer.from(row.totp_secret_wrapped);
  // via hex: a Node Buffer's ArrayBuffer may be a shared pool slab, not just these bytes
  const secret = Secret.fromHex(deps.keyring.unwrap({ wrapped, masterKeyId: row.totp_master_key_id }, secretContext(row.id)).toString('hex'));
  const totp = totpFor(secret, row.email);
  const now = Date.now();
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW });
  if (delta === null) return false;
  const step = totp.counter({ timestamp: now }) + delta;
  const r = await tx
    .updateTable('admin_users')
    .set({ totp_last_step: step, ...(pending ? { totp_enabled_at: sql<Date>`now()` } : {}) })
    .where('id', '=', row.id)
    // the same secret still (not re-enrolled or reset meanwhile), in the same state
    .where('totp_secret_wrapped', '=', wrapped)
    .where('totp_enabled_at', pending ? 'is' : 'is not', null)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Activates a pending enrolment with a first code from the app. */
export async function confirmTotp(deps: TotpDeps, userId: string, code: string): Promise<void> {
  await inTx(deps.db, async (tx) => {
    const row = await totpRow(tx, userId);
    if (row.totp_enabled_at) throw conflict('totp_already_enabled', 'TOTP is already active.');
    if (!row.totp_secret_wrapped) throw conflict('totp_not_enrolled', 'Start an enrolment first (POST /v1/admin/me/totp/enrol).');
    if (!(await acceptCode(deps, tx, row, code, true))) throw unauthorized('invalid_credentials', 'The code is wrong or was used already.');
    await appendAudit(tx, { actor: userId, action: 'admin.totp_enable', target: userId, details: {} });
  });
}

/** Whether `code` is a fresh valid code of the user's active TOTP (consumed if so). */
export async function verifyTotpCode(deps: TotpDeps, userId: string, code: string): Promise<boolean> {
  return acceptCode(deps, deps.db, await totpRow(deps.db, userId), code, false);
}

const CLEARED = { totp_secret_wrapped: null, totp_master_key_id: null, totp_enabled_at: null, totp_last_step: null } as const;

/** The user turns their own TOTP off, proving it with a current code. */
export async function disableTotp(deps: TotpDeps, userId: string, code: string): Promise<void> {
  await inTx(deps.db, async (tx) => {
    const row = await totpRow(tx, userId);
    if (!row.totp_enabled_at) throw conflict('totp_not_enrolled', 'TOTP is not active.');
    if (!(await acceptCode(deps, tx, row, code, false))) throw unauthorized('invalid_credentials', 'The code is wrong or was used already.');
    await tx.updateTable('admin_users').set(CLEARED).where('id', '=', userId).execute();
    await appendAudit(tx, { actor: userId, action: 'admin.totp_disable', target: userId, details: {} });
  });
}

/** An admin clears another user's TOTP (a lost phone); the user signs in with the password alone and may enrol again. */
export async function resetTotp(db: Executor, userId: string, actor: string): Promise<{ was_enabled: boolean }> {
  return inTx(db, async (tx) => {
    const row = await totpRow(tx, userId);
    await tx.updateTable('admin_users').set(CLEARED).where('id', '=', userId).execute();
    await appendAudit(tx, { actor, action: 'admin_user.totp_reset', target: userId, details: { was_enabled: row.totp_enabled_at !== null } });
    return { was_enabled: row.totp_enabled_at !== null };
  });
}

/** Re-wraps TOTP secrets under the keyring's current master key (`quanyi keys rotate`). */
export async function rewrapTotpSecrets(db: Executor, keyring: Keyring): Promise<number> {
  const rows = await db
    .selectFrom('admin_users')
    .select(['id', 'totp_secret_wrapped', 'totp_master_key_id'])
    .where('totp_master_key_id', '!=', keyring.current.id)
    .execute();
  for (const r of rows) {
    const plain = keyring.unwrap({ wrapped: Buffer.from(r.totp_secret_wrapped!), masterKeyId: r.totp_master_key_id! }, secretContext(r.id));
    const w = keyring.wrap(plain, secretContext(r.id));
    await db.updateTable('admin_users').set({ totp_secret_wrapped: w.wrapped, totp_master_key_id: w.masterKeyId }).where('id', '=', r.id).where('totp_secret_wrapped', '=', Buffer.from(r.totp_secret_wrapped!)).execute();
  }
  return rows.length;
}
