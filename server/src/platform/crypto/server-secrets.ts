import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { open, seal } from './aes-gcm.ts';
import type { Keyring } from './keyring.ts';

// Keys the server derives everything else from. Each is random, stored wrapped by the master key, and
// survives master-key rotation unchanged (so fingerprints and redeem tokens stay valid).
const SECRET_NAMES = ['fingerprint', 'redeem_token', 'pii'] as const;
type SecretName = (typeof SECRET_NAMES)[number];

export class ServerSecrets {
  constructor(private readonly keys: Record<SecretName, Buffer>) {}

  /** Keyed fingerprint of a normalised card code: unique in the codes table, useless without the key. */
  fingerprint(normalised: string): Buffer {
    return createHmac('sha256', this.keys.fingerprint).update(normalised).digest();
  }

  /** The redeem token of a grant: 256 bits derived from the grant id, so a replayed issuance can return it. */
  redeemToken(grantId: string): string {
    return createHmac('sha256', this.keys.redeem_token).update('redeem\0' + grantId).digest('base64url');
  }

  /**
   * Fingerprint of a request body, to tell a replay from a different request under the same key. Keyed,
   * because a body holds a phone number: a plain SHA-256 of it could be brute-forced back to the number.
   */
  requestHash(raw: Buffer | string | undefined): string {
    return createHmac('sha256', this.keys.fingerprint).update('request\0').update(raw ?? '').digest('hex');
  }

  phoneFingerprint(phone: string): Buffer {
    return createHmac('sha256', this.keys.fingerprint).update('phone\0' + phone).digest();
  }

  /** Keyed fingerprint of a recharge account (phone or platform uid): lookup without the plaintext. */
  accountFingerprint(account: string): Buffer {
    return createHmac('sha256', this.keys.fingerprint).update('account\0' + account).digest();
  }

  /** Keyed fingerprint of a normalised redemption code (兑换码): the only form of a code the database keeps. */
  redemptionFingerprint(normalised: string): Buffer {
    return createHmac('sha256', this.keys.fingerprint).update('redemption-code\0' + normalised).digest();
  }

  /** Keyed fingerprint of who claims a redemption code (per-user limit), e.g. `phone:138…` or `device:…`. */
  redemptionUserKey(identity: string): Buffer {
    return createHmac('sha256', this.keys.fingerprint).update('redemption-user\0' + identity).digest();
  }

  /** A redemption claim's id from what makes it unique (the caller's request, or a user's n-th claim in a set):
   * deterministic, so it serves as the grant's Idempotency-Key. */
  redemptionClaimId(seed: string): string {
    return 'rcl_' + createHmac('sha256', this.keys.fingerprint).update('redemption-claim\0' + seed).digest('hex').slice(0, 32);
  }

  sealPii(plaintext: string, context: string): Buffer {
    return seal(this.keys.pii, Buffer.from(plaintext, 'utf8'), Buffer.from(context));
  }

  openPii(sealed: Buffer, context: string): string {
    return open(this.keys.pii, sealed, Buffer.from(context)).toString('utf8');
  }
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Constant-time comparison of two hex strings. Both must be hex through and through: Buffer.from(s, 'hex')
 * stops silently at the first non-hex character, which once let a signature with trailing junk pass.
 */
export function safeEqualHex(a: string, b: string): boolean {
  if (!HEX.test(a) || !HEX.test(b)) return false;
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Loads (creating on first use) the server secrets. Concurrent first starts agree via ON CONFLICT. */
export async function loadServerSecrets(db: Kysely<DB>, keyring: Keyring): Promise<ServerSecrets> {
  for (const name of SECRET_NAMES) {
    const w = keyring.wrap(randomBytes(32), 'server-secret:' + name);
    await sql`INSERT INTO server_secrets (name, wrapped, master_key_id) VALUES (${name}, ${w.wrapped}, ${w.masterKeyId})
              ON CONFLICT (name) DO NOTHING`.execute(db);
  }
  const rows = await db.selectFrom('server_secrets').selectAll().execute();
  const keys = {} as Record<SecretName, Buffer>;
  for (const r of rows) {
    if (!(SECRET_NAMES as readonly string[]).includes(r.name)) continue;
    keys[r.name as SecretName] = keyring.unwrap(
      { wrapped: Buffer.from(r.wrapped), masterKeyId: r.master_key_id },
      'server-secret:' + r.name,
    );
  }
  return new ServerSecrets(keys);
}
