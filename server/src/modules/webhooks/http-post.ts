import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { guardedLookup, hostOf, isPrivateAddress, PrivateAddressError } from './url-guard.ts';

// One outbound webhook POST. Bounded in every way a receiver could abuse: a deadline over connect and
// response, no redirects followed (a 3xx is a failed attempt), the response body read to at most a few KB
// and then dropped, no connection reuse, and the address checked after DNS resolution (url-guard.ts).
export interface PostOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowPrivate: boolean;
  /** bytes of the response read before it is cut off */
  maxResponseBytes?: number;
}

export interface PostOutcome {
  ok: boolean;
  statusCode: number | null;
  /** why it failed, for the delivery log: never contains secrets or the signature */
  error: string | null;
  durationMs: number;
}

/** Never rejects: whatever goes wrong is an outcome the delivery log records. */
export async function postWebhook(opts: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  try {
    return await send(opts, started);
  } catch (e) {
    return { ok: false, statusCode: null, error: describe(e as Error), durationMs: Math.round(performance.now() - started) };
  }
}

function send(opts: PostOptions, started: number): Promise<PostOutcome> {
  const cap = opts.maxResponseBytes ?? 8 * 1024;
  const u = new URL(opts.url);
  const host = hostOf(u);
  // an IP literal never goes through `lookup`: check it here
  if (net.isIP(host) && !opts.allowPrivate && isPrivateAddress(host)) {
    return Promise.resolve({ ok: false, statusCode: null, error: `refused: ${host} is not a public address`, durationMs: 0 });
  }
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const done = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({ ok, statusCode, error, durationMs: Math.round(performance.now() - started) });
    };
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(u, {
      method: 'POST',
      headers: { ...opts.headers, 'content-length': Buffer.byteLength(opts.body).toString() },
      agent: false,
      lookup: guardedLookup(opts.allowPrivate) as never,
    });
    const deadline = setTimeout(() => done(null, `timeout after ${opts.timeoutMs} ms`), opts.timeoutMs);
    req.on('error', (e) => done(null, e instanceof PrivateAddressError ? e.message : describe(e)));
    req.on('response', (res) => {
      const code = res.statusCode ?? 0;
      if (code >= 300 && code < 400) {
        // never follow: the target could be anywhere, including our own network
        return done(code, `redirect ${code} not followed`);
      }
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > cap) done(code, code >= 200 && code < 300 ? null : `HTTP ${code}`);
      });
      res.on('end', () => done(code, code >= 200 && code < 300 ? null : `HTTP ${code}`));
      res.on('error', () => done(code, code >= 200 && code < 300 ? null : `HTTP ${code}`));
    });
    req.end(opts.body);
  });
}

function describe(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code ? `${code}: ` : '') + e.message.slice(0, 300);
}
