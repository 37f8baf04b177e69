// One outbound HTTP call to a supplier (or, from the sandbox, to a callback receiver): always a timeout (the
// whole exchange, body included), never a redirect followed (node:http does not follow them), a bounded
// body. node:http with keep-alive agents rather than fetch: at the benchmark's 500 calls/s fetch's per-call
// CPU was most of the cost. Failures are values carrying a reason safe to log (no URL, no body).
import http from 'node:http';
import https from 'node:https';

export const DEFAULT_TIMEOUT_MS = 10_000;
/** a card order for many cards is the largest legitimate answer */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// idle sockets are closed after 4 s, before common server keep-alive timeouts (5 s and up) close them under us
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 512, timeout: 4000 }),
};

export type HttpOutcome = { ok: true; status: number; contentType: string; text: string } | { ok: false; reason: string };

export function httpCall(
  url: string,
  init: { method: 'GET' | 'POST'; body?: string; accept: string; contentType?: string },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<HttpOutcome> {
  const ms = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, reason: 'endpoint is not a URL' });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.resolve({ ok: false, reason: 'endpoint is not http(s)' });
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  const headers: Record<string, string | number> = { accept: init.accept };
  if (body) Object.assign(headers, { 'content-type': init.contentType ?? 'application/json; charset=utf-8', 'content-length': body.length });

  return new Promise((resolve) => {
    let settled = false;
    const signal = AbortSignal.timeout(ms);
    const done = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      resolve(outcome);
    };
    const failed = (e: unknown) => done({ ok: false, reason: signal.aborted ? `timeout after ${ms} ms` : `transport error: ${describe(e)}` });
    const lib = target.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    // request() throws synchronously on some inputs (a header it refuses): that, too, is a value
    try {
      req = lib.request(target, { method: init.method, headers, agent: agents[target.protocol as 'http:' | 'https:'], signal }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) {
            done({ ok: false, reason: 'response body too large' });
            req.destroy();
          } else chunks.push(c);
        });
        res.on('end', () =>
          done({ ok: true, status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', failed);
        res.on('close', () => {
          if (!res.complete) failed({ code: 'RESPONSE_CUT_SHORT' });
        });
      });
    } catch (e) {
      return failed(e);
    }
    req.on('error', failed);
    req.end(body);
  });
}

/** the error's code (ECONNREFUSED, ECONNRESET …), never its message, which may quote the URL */
function describe(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown';
}
