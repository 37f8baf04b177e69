import { AppError } from '../errors.ts';

// PostgreSQL cannot store U+0000 in text or jsonb, and refuses a JSON `\ud800` escape in jsonb; a lone
// UTF-16 surrogate is not a character at all. Such strings are refused at the edge (400
// invalid_characters) rather than discovered by the database as a 500 deep inside a transaction.
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const isStorable = (s: string) => !UNSTORABLE.test(s);

/** The path (a.b.0.c) of the first string — value or object key — that cannot be stored, or null. */
export function findUnstorable(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorable(value) ? null : path || 'body';
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = findUnstorable(value[i], path ? `${path}.${i}` : String(i));
      if (p) return p;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (!isStorable(k)) return p;
      const found = findUnstorable(v, p);
      if (found) return found;
    }
  }
  return null;
}

export function invalidCharacters(field: string, where = 'A field'): AppError {
  return new AppError(400, 'invalid_characters', 'Bad request', `${where} holds a NUL character or an unpaired UTF-16 surrogate.`, {}, [
    { field, message: 'must not contain NUL characters or unpaired surrogates' },
  ]);
}

/** Throws 400 invalid_characters when `value` (a parsed body, params, fields) holds an unstorable string. */
export function assertStorable(value: unknown, where?: string): void {
  const field = findUnstorable(value);
  if (field) throw invalidCharacters(field, where);
}

/**
 * The query string checked on its raw bytes: a parameter that does not decode as UTF-8 (`%ED%A0%80`, a
 * surrogate) or decodes to NUL is refused; the query parser would otherwise keep it undecoded or pass it on.
 */
export function assertStorableQuery(url: string): void {
  const q = url.indexOf('?');
  if (q < 0) return;
  for (const pair of url.slice(q + 1).split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    for (const raw of eq < 0 ? [rawKey] : [rawKey, pair.slice(eq + 1)]) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(raw.replace(/\+/g, ' '));
      } catch {
        throw invalidCharacters(safeKey(rawKey), 'A query parameter');
      }
      if (!isStorable(decoded)) throw invalidCharacters(safeKey(rawKey), 'A query parameter');
    }
  }
}

function safeKey(rawKey: string): string {
  try {
    const k = decodeURIComponent(rawKey);
    return isStorable(k) ? k.slice(0, 100) : 'query';
  } catch {
    return 'query';
  }
}
