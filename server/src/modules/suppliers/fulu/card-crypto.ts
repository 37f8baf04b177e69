// Transport encryption of card secrets (DESIGN §11): base64 of AES-256-ECB with PKCS#7 padding, keyed by the
// UTF-8 bytes of the app_secret zero-padded or cut to 32 bytes. ECB is the suppliers' choice, not ours: what
// we decrypt is re-sealed at once with our own envelope encryption and never stored or logged in this form.
import { createCipheriv, createDecipheriv } from 'node:crypto';

function cardKey(appSecret: string): Buffer {
  const key = Buffer.alloc(32); // zero-filled
  Buffer.from(appSecret, 'utf8').copy(key, 0, 0, 32);
  return key;
}

export function encryptCardField(plain: string, appSecret: string): string {
  const cipher = createCipheriv('aes-256-ecb', cardKey(appSecret), null);
  return Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})+$|^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;

/** the plaintext, or null when the field is not base64 of whole AES blocks with valid padding and UTF-8 */
export function decryptCardField(encrypted: unknown, appSecret: string): string | null {
  if (typeof encrypted !== 'string' || !BASE64.test(encrypted)) return null;
  const bytes = Buffer.from(encrypted, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) return null;
  try {
    const decipher = createDecipheriv('aes-256-ecb', cardKey(appSecret), null);
    const plain = Buffer.concat([decipher.update(bytes), decipher.final()]);
    const text = plain.toString('utf8');
    // a wrong key usually fails the padding check; when it does not, the bytes are rarely valid UTF-8
    return Buffer.from(text, 'utf8').equals(plain) ? text : null;
  } catch {
    return null;
  }
}
