import { randomBytes } from 'node:crypto';
import { open, seal } from '../../platform/crypto/aes-gcm.ts';
import type { Keyring } from '../../platform/crypto/keyring.ts';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';

// What a card code is, and how it is protected at rest: sealed under its batch's data key (bound to the
// batch id), fingerprinted with the server's HMAC key for dedupe, and shown only as a masked hint.
export type CodeSecret =
  | { card_number: string; password: string }
  | { code: string }
  | { url: string };

export function normaliseCode(secret: CodeSecret): string {
  if ('card_number' in secret) return 'card:' + secret.card_number.trim();
  if ('code' in secret) return 'code:' + secret.code.trim();
  return 'url:' + secret.url.trim();
}

export function hintOf(secret: CodeSecret): string {
  const v = 'card_number' in secret ? secret.card_number : 'code' in secret ? secret.code : secret.url;
  const t = v.trim();
  return '****' + t.slice(-4);
}

/** Compact serialisation that is sealed: short keys keep millions of rows small. */
function serialise(secret: CodeSecret): Buffer {
  if ('card_number' in secret) return Buffer.from(JSON.stringify({ c: secret.card_number, p: secret.password }));
  if ('code' in secret) return Buffer.from(JSON.stringify({ k: secret.code }));
  return Buffer.from(JSON.stringify({ u: secret.url }));
}

function deserialise(buf: Buffer): CodeSecret {
  const o = JSON.parse(buf.toString('utf8')) as { c?: string; p?: string; k?: string; u?: string };
  if (o.c !== undefined) return { card_number: o.c, password: o.p ?? '' };
  if (o.k !== undefined) return { code: o.k };
  return { url: o.u ?? '' };
}

export interface BatchKey {
  batchId: string;
  dek: Buffer;
}

const dekContext = (batchId: string) => 'batch-dek:' + batchId;

/** A fresh data key for a batch, and its wrapped form to store on the batch row. */
export function newBatchKey(keyring: Keyring, batchId: string) {
  const dek = randomBytes(32);
  const w = keyring.wrap(dek, dekContext(batchId));
  return { key: { batchId, dek } as BatchKey, wrapped: w.wrapped, masterKeyId: w.masterKeyId };
}

export function unwrapBatchKey(keyring: Keyring, batch: { id: string; dek_wrapped: Uint8Array; master_key_id: string }): BatchKey {
  return { batchId: batch.id, dek: keyring.unwrap({ wrapped: Buffer.from(batch.dek_wrapped), masterKeyId: batch.master_key_id }, dekContext(batch.id)) };
}

export function rewrapBatchKey(keyring: Keyring, batch: { id: string; dek_wrapped: Uint8Array; master_key_id: string }) {
  const { dek } = unwrapBatchKey(keyring, batch);
  return keyring.wrap(dek, dekContext(batch.id));
}

export function sealCode(key: BatchKey, secret: CodeSecret): Buffer {
  return seal(key.dek, serialise(secret), Buffer.from(key.batchId));
}

export function openCode(key: BatchKey, ciphertext: Uint8Array): CodeSecret {
  return deserialise(open(key.dek, Buffer.from(ciphertext), Buffer.from(key.batchId)));
}

export function protectCode(key: BatchKey, secrets: ServerSecrets, secret: CodeSecret) {
  return { ciphertext: sealCode(key, secret), fingerprint: secrets.fingerprint(normaliseCode(secret)), hint: hintOf(secret) };
}
