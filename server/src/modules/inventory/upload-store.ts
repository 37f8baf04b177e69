import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../../platform/context.ts';
import { newId } from '../../platform/ids.ts';

// An uploaded import file waits for its job on disk, so it must not be there in plaintext: it is
// streamed through AES-256-GCM with a random per-upload key, and that key is wrapped by the master key
// and kept in the job's payload. The job streams it back through the importer, then deletes it.
export interface StoredUpload {
  id: string;
  path: string;
  /** plaintext bytes: the job's progress total */
  size: number;
  key_wrapped: string;
  master_key_id: string;
  iv: string;
  tag: string;
}

type Deps = Pick<AppContext, 'config' | 'keyring'>;

export function uploadsDir(deps: Pick<AppContext, 'config'>): string {
  return path.join(deps.config.dataDir, 'uploads');
}

const keyContext = (id: string) => 'upload:' + id;

export async function storeUpload(deps: Deps, input: Readable): Promise<StoredUpload> {
  const dir = uploadsDir(deps);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = newId('imp');
  const file = path.join(dir, id + '.enc');
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      cb(null, chunk);
    },
  });
  // The file is opened synchronously, before any byte is streamed: with a lazily opened write stream, an
  // upload that failed at once (client gone) was cleaned up before the open landed, leaving an empty file.
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    await pipeline(input, count, cipher, fs.createWriteStream(file, { fd }));
  } catch (e) {
    fs.rmSync(file, { force: true });
    throw e;
  }
  const w = deps.keyring.wrap(key, keyContext(id));
  return {
    id,
    path: file,
    size,
    key_wrapped: w.wrapped.toString('base64'),
    master_key_id: w.masterKeyId,
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
}

/**
 * The plaintext of a stored upload, as a stream. GCM authenticates at the end: a tampered file errors
 * the stream on its last chunk, which rolls the import transaction back.
 */
export function openUpload(deps: Deps, u: StoredUpload): Readable {
  const key = deps.keyring.unwrap({ wrapped: Buffer.from(u.key_wrapped, 'base64'), masterKeyId: u.master_key_id }, keyContext(u.id));
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(u.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(u.tag, 'base64'));
  const src = fs.createReadStream(u.path);
  src.on('error', (e) => decipher.destroy(e));
  return src.pipe(decipher);
}

export function removeUpload(u: Pick<StoredUpload, 'path'>): void {
  fs.rmSync(u.path, { force: true });
}
