import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { appendAudit } from './audit.service.ts';

// The audit page filters by time range as well as actor/action/target, and shows the verify result typed.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('GET /v1/admin/audit filters', () => {
  it('keeps only events inside [from, to) and combines with actor', async () => {
    // the chain hashes created_at, so the clock moves (only Date) rather than the rows being rewritten
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      for (const [day, actor] of [['2026-01-01', 'a'], ['2026-01-02', 'b'], ['2026-01-03', 'a']] as const) {
        vi.setSystemTime(new Date(`${day}T12:00:00Z`));
        await h.ctx.db.transaction().execute((tx) => appendAudit(tx, { actor, action: 'test.filter', target: `t-${day}`, details: {} }));
      }
    } finally {
      vi.useRealTimers();
    }
    const auditor = await h.admin('auditor');
    const q = (s: string) => auditor.request('GET', `/v1/admin/audit?action=test.filter&${s}`);
    const targets = (r: { body: { data: { target: string }[] } }) => r.body.data.map((e) => e.target);
    expect(targets(await q('from=2026-01-02T00:00:00Z'))).toEqual(['t-2026-01-03', 't-2026-01-02']);
    expect(targets(await q('from=2026-01-01T00:00:00Z&to=2026-01-03T00:00:00Z'))).toEqual(['t-2026-01-02', 't-2026-01-01']);
    expect(targets(await q('actor=a&to=2026-01-02T00:00:00Z'))).toEqual(['t-2026-01-01']);
    expect((await q('from=yesterday')).status).toBe(400);
  });

  it('verify answers the typed result', async () => {
    const auditor = await h.admin('auditor');
    const r = await auditor.request('GET', '/v1/admin/audit/verify');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, events: expect.any(Number), head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});
