import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { open, seal } from './aes-gcm.ts';

// Master keys with ids. The first key is current: new data is wrapped with it; older keys only unwrap,
// until `quanyi keys rotate` has re-wrapped everything under the current key.
export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Wrapped {
  wrapped: Buffer;
  masterKeyId: string;
}

export class Keyring {
  readonly keys: MasterKey[];
  constructor(keys: Buffer[]) {
    if (keys.length === 0) throw new Error('a keyring needs at least one master key');
    this.keys = keys.map((key) => {
      if (key.length !== 32) throw new Error('master keys are 32 bytes');
      return { id: masterKeyId(key), key };
    });
  }

  get current(): MasterKey {
    return this.keys[0];
  }

  wrap(plaintext: Buffer, context: string): Wrapped {
    return { wrapped: seal(this.current.key, plaintext, Buffer.from(context)), masterKeyId: this.current.id };
  }

  unwrap(w: Wrapped, context: string): Buffer {
    const mk = this.keys.find((k) => k.id === w.masterKeyId);
    if (!mk) throw new Error(`master key ${w.masterKeyId} is not in the keyring`);
    return open(mk.key, w.wrapped, Buffer.from(context));
  }
}

/** A key id that names a key without revealing it. */
export function masterKeyId(key: Buffer): string {
  return 'mk_' + createHash('sha256').update('quanyi-master-key-id\0').update(key).digest('hex').slice(0, 12);
}

export function parseMasterKeys(value: string): Buffer[] {
  return value.split(',').map((s) => Buffer.from(s.trim(), 'base64'));
}

export const KEY_FILE = 'master.key';

/**
 * Master keys from QUANYI_MASTER_KEY, or (embedded mode only) from a key file in the data directory,
 * generated once with mode 0600. Returns whether a key was generated so the caller can warn.
 */
export function loadKeyring(opts: { masterKey?: string; dataDir?: string; allowGenerate: boolean }): {
  keyring: Keyring;
  generated: boolean;
  source: 'env' | 'file';
} {
  if (opts.masterKey) return { keyring: new Keyring(parseMasterKeys(opts.masterKey)), generated: false, source: 'env' };
  if (!opts.dataDir) throw new Error('QUANYI_MASTER_KEY is required when DATABASE_URL is set');
  const file = path.join(opts.dataDir, KEY_FILE);
  if (fs.existsSync(file)) {
    return { keyring: new Keyring(readKeyFile(file)), generated: false, source: 'file' };
  }
  if (!opts.allowGenerate) throw new Error(`no master key: set QUANYI_MASTER_KEY or create ${file}`);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  writeKeyFile(file, [randomBytes(32)]);
  return { keyring: new Keyring(readKeyFile(file)), generated: true, source: 'file' };
}

export function readKeyFile(file: string): Buffer[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => Buffer.from(l, 'base64'));
}

/** Writes keys newest first, atomically, readable by the owner only. */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  const tmp = file + '.tmp';
  const body = '# Quanyi master keys, newest first. Losing this file loses every stored card code.\n' +
    keys.map((k) => k.toString('base64')).join('\n') + '\n';
  fs.writeFileSync(tmp, body, { mode: 0o600 });
  fs.renameSync(tmp, file);
  fs.chmodSync(file, 0o600);
}
