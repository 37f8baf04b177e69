import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { percentileFromHistogram } from './analytics.service.ts';

// Bad input gets a clear 400 (and changes nothing); roles without dashboard:read get 403; no session 401.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const ENDPOINTS = ['summary', 'daily', 'stock', 'top-products', 'clients', 'suppliers', 'failures'];

describe('dashboard input and access', () => {
  it('refuses malformed, impossible, reversed and too long periods and unknown parameters with 400', async () => {
    const admin = await h.admin();
    const before = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_grant_daily`.execute(h.ctx.db)).rows[0].n;
    for (const [q, field] of [
      ['summary?from=2026-1-1', 'from'],
      ['summary?from=2026-02-30&to=2026-03-01', 'from'],
      ['daily?from=2026-03-02&to=2026-03-01', 'from'],
      ['suppliers?from=2024-01-01&to=2025-12-31', 'to'],
      ['failures?to=yesterday', 'to'],
      ['top-products?limit=0', 'limit'],
      ['summary?bogus=1', null],
    ] as const) {
      const r = await admin.request('GET', `/v1/admin/dashboard/${q}`);
      expect([r.status, r.body.code], q).toEqual([400, 'validation_failed']);
      if (field) expect(JSON.stringify(r.body), q).toContain(field);
    }
    // a supplier does not narrow grant figures: refused rather than ignored
    expect((await admin.request('GET', '/v1/admin/dashboard/summary?supplier=sup_x')).status).toBe(400);
    expect((await admin.request('GET', '/v1/admin/dashboard/summary?product=NOPE')).status).toBe(404);
    // exactly 366 days is allowed
    expect((await admin.request('GET', '/v1/admin/dashboard/daily?from=2024-01-01&to=2024-12-31')).body.data).toHaveLength(366);
    expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_grant_daily`.execute(h.ctx.db)).rows[0].n).toBe(before);
  });

  it('admin, operator, finance and auditor read dashboards; support gets 403; no session 401', async () => {
    for (const role of ['admin', 'operator', 'finance', 'auditor'] as const) {
      const a = await h.admin(role);
      for (const e of ENDPOINTS) expect((await a.request('GET', `/v1/admin/dashboard/${e}`)).status, `${role} ${e}`).toBe(200);
    }
    const support = await h.admin('support');
    for (const e of ENDPOINTS) expect((await support.request('GET', `/v1/admin/dashboard/${e}`)).status).toBe(403);
    for (const e of ENDPOINTS) expect((await http(`${h.url}/v1/admin/dashboard/${e}`, {})).status).toBe(401);
  });

  it('estimates percentiles inside the bucket that holds the rank', () => {
    const bounds = [250, 500, 1000];
    expect(percentileFromHistogram(new Map(), bounds, 0.5)).toBeNull();
    expect(percentileFromHistogram(new Map([[1, 10]]), bounds, 0.5)).toBe(375);
    expect(percentileFromHistogram(new Map([[0, 1], [2, 1]]), bounds, 0.95)).toBeGreaterThanOrEqual(500);
    expect(percentileFromHistogram(new Map([[3, 4]]), bounds, 0.5)).toBe(1000);
  });
});
