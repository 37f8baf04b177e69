import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { createAdminUser } from './identity.service.ts';

// The admin users page: list with filters and cursor, change role and status, reset a password — each
// audited, disabling and resetting end the user's sessions.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const login = (email: string, password: string) =>
  http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify({ email, password }) });

describe('admin users', () => {
  it('lists users newest first with role, status and email filters and a cursor; only admins may', async () => {
    const admin = await h.admin();
    for (const [email, role] of [['ann@corp.example', 'operator'], ['bob@corp.example', 'finance'], ['cat@other.example', 'operator']] as const) {
      await createAdminUser(h.ctx.db, { email, password: 'a long enough password', role }, 'test');
    }
    const ops = await admin.request('GET', '/v1/admin/users?role=operator');
    expect(ops.status).toBe(200);
    expect(ops.body.data.map((u: { email: string }) => u.email)).toEqual(['cat@other.example', 'ann@corp.example']);
    expect(Object.keys(ops.body.data[0]).sort()).toEqual(['created_at', 'email', 'id', 'last_login_at', 'role', 'status', 'totp_enabled']);
    expect(ops.body.data[0]).toMatchObject({ status: 'active', totp_enabled: false, last_login_at: null });
    expect(JSON.stringify(ops.body)).not.toContain('argon2');

    const corp = await admin.request('GET', '/v1/admin/users?email=CORP.example');
    expect(corp.body.data.map((u: { email: string }) => u.email)).toEqual(['bob@corp.example', 'ann@corp.example']);
    // LIKE wildcards in the filter are literal
    expect((await admin.request('GET', '/v1/admin/users?email=%25')).body.data).toEqual([]);

    const first = await admin.request('GET', '/v1/admin/users?limit=2');
    expect(first.body.data).toHaveLength(2);
    const rest = await admin.request('GET', `/v1/admin/users?limit=200&cursor=${first.body.next_cursor}`);
    expect(rest.body.next_cursor).toBeNull();
    const all = [...first.body.data, ...rest.body.data].map((u: { id: string }) => u.id);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toContain(admin.id);

    const operator = await h.admin('operator');
    expect((await operator.request('GET', '/v1/admin/users')).status).toBe(403);
    expect((await admin.request('GET', '/v1/admin/users?status=gone')).status).toBe(400);
  });

  it('changes a role, disables (ending sessions and stopping login) and enables again, all audited', async () => {
    const admin = await h.admin();
    await createAdminUser(h.ctx.db, { email: 'dan@corp.example', password: 'dans long password', role: 'support' }, 'test');
    const signedIn = await login('dan@corp.example', 'dans long password');
    const dan = { id: signedIn.body.id, headers: { cookie: signedIn.headers.get('set-cookie')!.split(';')[0], 'x-quanyi-console': '1' } };
    const asDan = () => http(`${h.url}/v1/admin/me`, { headers: dan.headers });
    expect((await asDan()).status).toBe(200);

    const promoted = await admin.request('PATCH', `/v1/admin/users/${dan.id}`, { role: 'operator' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ id: dan.id, role: 'operator', status: 'active' });
    expect((await asDan()).body.role).toBe('operator');

    const disabled = await admin.request('PATCH', `/v1/admin/users/${dan.id}`, { status: 'disabled' });
    expect(disabled.body.status).toBe('disabled');
    expect((await asDan()).status).toBe(401);
    expect(await h.ctx.db.selectFrom('admin_sessions').select('user_id').where('user_id', '=', dan.id).execute()).toEqual([]);
    expect((await login('dan@corp.example', 'dans long password')).status).toBe(401);
    // disabling twice is not an error and changes nothing more
    expect((await admin.request('PATCH', `/v1/admin/users/${dan.id}`, { status: 'disabled' })).status).toBe(200);

    expect((await admin.request('PATCH', `/v1/admin/users/${dan.id}`, { status: 'active' })).body.status).toBe('active');
    expect((await login('dan@corp.example', 'dans long password')).status).toBe(200);

    const trail = await h.ctx.db.selectFrom('audit_events').select(['actor', 'action', 'details']).where('target', '=', dan.id).where('action', '=', 'admin_user.update').orderBy('seq').execute();
    expect(trail.map((e) => [e.actor, e.details])).toEqual([
      [admin.id, { role: 'operator', sessions_ended: 0 }],
      [admin.id, { status: 'disabled', sessions_ended: 1 }],
      [admin.id, { status: 'disabled', sessions_ended: 0 }],
      [admin.id, { status: 'active', sessions_ended: 0 }],
    ]);
  });

  it('resets a password: the old one stops working and every session of the user ends; nothing secret is audited', async () => {
    const admin = await h.admin();
    const eve = await h.admin('auditor');
    const user = await h.ctx.db.selectFrom('admin_users').select('email').where('id', '=', eve.id).executeTakeFirstOrThrow();
    const short = await admin.request('POST', `/v1/admin/users/${eve.id}/reset-password`, { password: 'short' });
    expect(short.status).toBe(400);
    expect((await eve.request('GET', '/v1/admin/me')).status).toBe(200);

    const r = await admin.request('POST', `/v1/admin/users/${eve.id}/reset-password`, { password: 'a brand new passphrase' });
    expect(r.status).toBe(200);
    expect((await eve.request('GET', '/v1/admin/me')).status).toBe(401);
    expect((await login(user.email, 'correct horse battery')).status).toBe(401);
    expect((await login(user.email, 'a brand new passphrase')).status).toBe(200);
    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'details']).where('target', '=', eve.id).execute();
    expect(audit.map((e) => e.action)).toContain('admin_user.reset_password');
    expect(JSON.stringify(audit)).not.toContain('brand new');

    expect((await admin.request('POST', '/v1/admin/users/usr_nobody/reset-password', { password: 'a brand new passphrase' })).status).toBe(404);
    expect((await admin.request('PATCH', '/v1/admin/users/usr_nobody', { role: 'admin' })).status).toBe(404);
    expect((await admin.request('PATCH', `/v1/admin/users/${eve.id}`, {})).status).toBe(400);
    expect((await admin.request('PATCH', `/v1/admin/users/${eve.id}`, { role: 'root' })).status).toBe(400);
  });
});
