import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type AdminAgent, type Harness } from '../../testutil/harness.ts';
import { updateAdminUser } from './users.service.ts';

// Nobody locks the platform out: an admin cannot disable or demote themselves, and no change — however
// concurrent — leaves it without an active admin. Each test starts from a fresh database holding exactly two
// admins. The concurrency test means most on PostgreSQL (TEST_DATABASE_URL), where the two demotions run on
// two connections; the embedded database serialises them and must give the same answer.
let h: Harness | undefined;
let a: AdminAgent;
let b: AdminAgent;
beforeEach(async () => {
  await h?.close();
  h = await createHarness();
  a = await h.admin();
  b = await h.admin();
});
afterAll(() => h?.close());

const activeAdmins = async () =>
  (await h!.ctx.db.selectFrom('admin_users').select('id').where('role', '=', 'admin').where('status', '=', 'active').execute()).map((r) => r.id);

describe('last active admin', () => {
  it('an admin cannot disable or demote themselves', async () => {
    for (const change of [{ status: 'disabled' }, { role: 'operator' }, { role: 'admin', status: 'disabled' }]) {
      const r = await a.request('PATCH', `/v1/admin/users/${a.id}`, change);
      expect(r.status, JSON.stringify(change)).toBe(409);
      expect(r.body.code).toBe('own_access');
    }
    // keeping oneself an active admin is fine
    expect((await a.request('PATCH', `/v1/admin/users/${a.id}`, { role: 'admin', status: 'active' })).status).toBe(200);
    expect(await activeAdmins()).toHaveLength(2);
  });

  it('the last active admin cannot be disabled or demoted, not even from the CLI', async () => {
    expect((await a.request('PATCH', `/v1/admin/users/${b.id}`, { role: 'operator' })).status).toBe(200);
    const deps = { db: h!.ctx.db, sessions: h!.ctx.sessions };
    for (const change of [{ status: 'disabled' as const }, { role: 'finance' }]) {
      await expect(updateAdminUser(deps, a.id, change, 'cli')).rejects.toMatchObject({ code: 'last_admin', status: 409 });
    }
    expect(await activeAdmins()).toEqual([a.id]);
    // promoting someone else first makes it possible
    expect((await a.request('PATCH', `/v1/admin/users/${b.id}`, { role: 'admin' })).status).toBe(200);
    expect((await updateAdminUser(deps, a.id, { status: 'disabled' }, 'cli')).status).toBe('disabled');
    expect(await activeAdmins()).toEqual([b.id]);
  });

  it('two admins demoting each other at the same moment leave exactly one admin', async () => {
    const db = h!.ctx.db;
    const sessions = h!.ctx.sessions;
    // a's demotion of b is written but not committed while b's demotion of a starts: a read-then-write check
    // would see two admins on both sides and let both through
    let second: Promise<unknown> | undefined;
    await db.transaction().execute(async (tx) => {
      await updateAdminUser({ db: tx, sessions }, b.id, { role: 'operator' }, a.id);
      second = updateAdminUser({ db, sessions }, a.id, { role: 'operator' }, b.id).then(
        (v) => ({ ok: v }),
        (e) => ({ error: e }),
      );
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await second).toMatchObject({ error: { code: 'last_admin' } });
    expect(await activeAdmins()).toEqual([a.id]);
  });

  it('many concurrent demotions and disables in both directions always leave one active admin', async () => {
    const deps = { db: h!.ctx.db, sessions: h!.ctx.sessions };
    const results = await Promise.allSettled([
      updateAdminUser(deps, a.id, { status: 'disabled' }, b.id),
      updateAdminUser(deps, b.id, { role: 'support' }, a.id),
      updateAdminUser(deps, a.id, { role: 'auditor' }, b.id),
      updateAdminUser(deps, b.id, { status: 'disabled' }, a.id),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'last_admin' });
    expect(await activeAdmins()).toHaveLength(1);
  });
});
