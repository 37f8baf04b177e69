// One outbound HTTP call to a supplier: always a timeout (the whole exchange, body included), never a
// redirect followed, a bounded body. Failures are values carrying a reason safe to log (no URL, no body).

export const DEFAULT_TIMEOUT_MS = 10_000;
/** a card order for many cards is the largest legitimate answer */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export type HttpOutcome = { ok: true; status: number; contentType: string; text: string } | { ok: false; reason: string };

export async function httpCall(
  url: string,
  init: { method: 'GET' | 'POST'; body?: string; accept: string },
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<HttpOutcome> {
  const ms = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(ms);
  try {
    const res = await fetch(url, {
      method: init.method,
      body: init.body,
      headers: init.body === undefined ? { accept: init.accept } : { accept: init.accept, 'content-type': 'application/json; charset=utf-8' },
      redirect: 'manual',
      signal,
    });
    const text = await readCapped(res);
    if (text === null) return { ok: false, reason: 'response body too large' };
    return { ok: true, status: res.status, contentType: res.headers.get('content-type') ?? '', text };
  } catch (e) {
    if (signal.aborted) return { ok: false, reason: `timeout after ${ms} ms` };
    return { ok: false, reason: `transport error: ${describe(e)}` };
  }
}

async function readCapped(res: Response): Promise<string | null> {
  if (!res.body) return '';
  const declared = Number(res.headers.get('content-length'));
  if (declared > MAX_BODY_BYTES) {
    await res.body.cancel().catch(() => undefined);
    return null;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** the error's code (ECONNREFUSED, UND_ERR_SOCKET …), never its message, which may quote the URL */
function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
  const code = (cause && typeof cause.code === 'string' && cause.code) || (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : e instanceof Error ? e.name : 'unknown';
}
