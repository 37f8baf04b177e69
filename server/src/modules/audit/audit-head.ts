import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Keyring, MasterKey } from '../../platform/crypto/keyring.ts';
import { validationFailed } from '../../platform/errors.ts';

// The audit chain's head kept OUTSIDE the database. Inside, whoever can disable the append-only trigger can
// delete the newest events and rewind the head row, leaving a shorter chain that is intact in itself. An
// exported head (`quanyi audit head`, from cron into a log, a ticket, another system) is what the chain
// must still contain later (`quanyi audit verify --expect-head`). Signed with an HMAC key derived from the
// master key, a head file cannot be forged or rewound by someone who holds only the database.
export interface ExpectedHead {
  seq: number;
  hash: string;
}

export interface SignedHead extends ExpectedHead {
  /** when it was exported (ISO 8601) */
  at: string;
  /** the master key whose derived key signed it */
  key_id: string;
  /** lowercase hex HMAC-SHA256 over the head */
  signature: string;
}

const HASH = /^[0-9a-f]{64}$/;

function headKey(mk: MasterKey): Buffer {
  return Buffer.from(hkdfSync('sha256', mk.key, Buffer.alloc(0), 'quanyi audit head v1', 32));
}

const headText = (h: { seq: number; hash: string; at: string }) => `quanyi-audit-head v1\n${h.seq}\n${h.hash}\n${h.at}`;

export function signHead(keyring: Keyring, head: ExpectedHead, at = new Date()): SignedHead {
  const mk = keyring.current;
  const body = { seq: head.seq, hash: head.hash, at: at.toISOString() };
  return { ...body, key_id: mk.id, signature: createHmac('sha256', headKey(mk)).update(headText(body)).digest('hex') };
}

/** Checks a head file's signature; returns the head it vouches for, or throws (a forged or altered file). */
export function verifySignedHead(keyring: Keyring, file: unknown): ExpectedHead {
  const f = (file ?? {}) as Partial<SignedHead>;
  if (!Number.isSafeInteger(f.seq) || (f.seq as number) < 0 || typeof f.hash !== 'string' || !HASH.test(f.hash) || typeof f.at !== 'string' || typeof f.signature !== 'string') {
    const message = 'is not a head file from `quanyi audit head --json` (seq, hash, at, key_id, signature)';
    throw validationFailed([{ field: 'head', message }], `The head file ${message}.`);
  }
  const mk = keyring.keys.find((k) => k.id === f.key_id);
  if (!mk) throw new HeadSignatureError(`the head was signed by master key ${String(f.key_id)}, which is not in the keyring`);
  const expected = createHmac('sha256', headKey(mk)).update(headText({ seq: f.seq as number, hash: f.hash, at: f.at })).digest();
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(f.signature) ? f.signature : '', 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HeadSignatureError('the head file signature does not match: it was altered or forged');
  }
  return { seq: f.seq as number, hash: f.hash };
}

export class HeadSignatureError extends Error {}

/** `SEQ:HASH` as `audit head` prints it. */
export function parseExpectedHead(value: string): ExpectedHead {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(value.trim());
  if (!m) {
    const message = 'must be SEQ:HASH (the event number and its 64 hex digit hash, as `quanyi audit head` prints)';
    throw validationFailed([{ field: 'expect-head', message }], `--expect-head ${message}`);
  }
  return { seq: Number(m[1]), hash: m[2] };
}
