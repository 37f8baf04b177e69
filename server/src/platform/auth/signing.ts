import { createHash, createHmac } from 'node:crypto';

// Request signing of the open API (DESIGN §6). Shared by the server, the tests, the benchmark and the docs.
export function stringToSign(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: Buffer | string | undefined): string {
  const bodyHash = createHash('sha256').update(body ?? '').digest('hex');
  return [method.toUpperCase(), pathWithQuery, timestamp, nonce, bodyHash].join('\n');
}

export function sign(secret: string | Buffer, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** Headers for a signed request; used by clients written in TypeScript (tests, benchmark, examples). */
export function signedHeaders(opts: { keyId: string; secret: string; method: string; path: string; body?: string; timestamp?: number; nonce?: string }) {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = opts.nonce ?? createHash('sha256').update(String(Math.random()) + process.hrtime.bigint()).digest('hex').slice(0, 24);
  const signature = sign(opts.secret, stringToSign(opts.method, opts.path, timestamp, nonce, opts.body ?? ''));
  return {
    'x-quanyi-key': opts.keyId,
    'x-quanyi-timestamp': timestamp,
    'x-quanyi-nonce': nonce,
    'x-quanyi-signature': signature,
  };
}
