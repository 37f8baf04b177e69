import type { AdminAgent, Harness } from '../../testutil/harness.ts';
import { http } from '../../testutil/harness.ts';

// Helpers of the bulk tests: a console upload (fields first, then the file) and waiting for a run.
export async function upload(h: Harness, admin: AdminAgent, fields: Record<string, string>, name: string, content: string | Buffer) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([content]), name);
  return http(h.url + '/v1/admin/bulk-issuances', { method: 'POST', headers: admin.headers, body: form });
}

export async function waitForRun(admin: AdminAgent, id: string, until: (status: string) => boolean = (s) => ['completed', 'cancelled', 'failed'].includes(s), timeoutMs = 15_000) {
  const started = Date.now();
  for (;;) {
    const r = await admin.request('GET', `/v1/admin/bulk-issuances/${id}`);
    if (until(r.body.status)) return r.body;
    if (Date.now() - started > timeoutMs) throw new Error(`run ${id} still ${r.body.status}: ${JSON.stringify(r.body.progress)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

/** A CSV report as rows of fields (no quoted commas in what the tests put in). */
export function csvOf(text: string): Record<string, string>[] {
  const [head, ...lines] = text.replace(/^\ufeff/, '').trim().split(/\r\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}
