import { TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type AdminAgent, type Harness } from '../../testutil/harness.ts';

// Optional TOTP, as a user meets it: enrol (QR code) → confirm with a first code → sign-in needs a code →
// a used code is refused → an admin's reset clears it. The secret is sealed at rest; neither it nor a code
// reaches the audit log.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_LOGIN_ATTEMPTS_PER_15MIN: '20' });
});
afterAll(() => h?.close());

const PASSWORD = 'correct horse battery';

const login = (email: string, body: Record<string, string> = {}) =>
  http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify({ email, password: PASSWORD, ...body }) });

/** the code of the step `stepsAhead` after the current one, as the user's app would show it then */
const codeAt = (totp: TOTP, stepsAhead = 0) => totp.generate({ timestamp: Date.now() + stepsAhead * 30_000 });

async function enrolled(agent: AdminAgent) {
  const r = await agent.request('POST', '/v1/admin/me/totp/enrol');
  expect(r.status).toBe(200);
  expect(r.headers.get('cache-control')).toBe('no-store');
  return { totp: URI.parse(r.body.otpauth_url) as TOTP, body: r.body as { otpauth_url: string; qr_svg: string } };
}

const emailOf = async (id: string) => (await h.ctx.db.selectFrom('admin_users').select('email').where('id', '=', id).executeTakeFirstOrThrow()).email;

describe('TOTP', () => {
  it('enrol → confirm → sign-in needs the code → a used code is refused → an admin reset clears it', async () => {
    const user = await h.admin('operator');
    const email = await emailOf(user.id);
    const { totp, body } = await enrolled(user);
    expect(body.otpauth_url).toMatch(/^otpauth:\/\/totp\/Quanyi:/);
    expect(totp.digits).toBe(6);
    expect(body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

    // sealed at rest: the stored bytes hold neither the base32 nor the raw secret
    const row = await h.ctx.db.selectFrom('admin_users').select(['totp_secret_wrapped', 'totp_master_key_id', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.totp_master_key_id).toBe(h.ctx.keyring.current.id);
    expect(row.totp_enabled_at).toBeNull();
    expect(Buffer.from(row.totp_secret_wrapped!).toString('latin1')).not.toContain(totp.secret.base32);
    expect(Buffer.from(row.totp_secret_wrapped!).includes(Buffer.from(totp.secret.bytes))).toBe(false);

    // pending: not active yet, the password alone still signs in
    expect((await user.request('GET', '/v1/admin/me')).body.totp_enabled).toBe(false);
    expect((await login(email)).status).toBe(200);

    const wrong = await user.request('POST', '/v1/admin/me/totp/confirm', { code: codeAt(totp, 5) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect((await user.request('POST', '/v1/admin/me/totp/confirm', { code: '12345' })).status).toBe(400);
    const first = codeAt(totp);
    const confirmed = await user.request('POST', '/v1/admin/me/totp/confirm', { code: first });
    expect(confirmed.status).toBe(200);
    expect((await user.request('GET', '/v1/admin/me')).body.totp_enabled).toBe(true);
    // enrolling again while active would let a stolen session replace the device
    expect((await user.request('POST', '/v1/admin/me/totp/enrol')).body.code).toBe('totp_already_enabled');

    const missing = await login(email);
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('totp_required');
    expect(missing.headers.get('set-cookie')).toBeNull();
    const bad = await login(email, { totp: codeAt(totp, 10) });
    expect(bad.status).toBe(401);
    expect(bad.body.code).toBe('invalid_credentials');
    // the code used to confirm cannot sign in (same step); the next step's code can, once
    expect((await login(email, { totp: first })).body.code).toBe('invalid_credentials');
    const next = codeAt(totp, 1);
    const ok = await login(email, { totp: next });
    expect(ok.status).toBe(200);
    expect(ok.body.totp_enabled).toBe(true);
    const replay = await login(email, { totp: next });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('invalid_credentials');

    // lost phone: an admin clears it, the password alone signs in again
    const admin = await h.admin();
    const listed = await admin.request('GET', `/v1/admin/users?email=${encodeURIComponent(email)}`);
    expect(listed.body.data[0].totp_enabled).toBe(true);
    const reset = await admin.request('POST', `/v1/admin/users/${user.id}/totp/reset`);
    expect(reset.body).toEqual({ id: user.id, was_enabled: true });
    expect((await login(email)).status).toBe(200);
    expect((await admin.request('GET', `/v1/admin/users?email=${encodeURIComponent(email)}`)).body.data[0].totp_enabled).toBe(false);
    expect((await user.request('POST', `/v1/admin/users/${admin.id}/totp/reset`)).status).toBe(403);

    const audit = await h.ctx.db.selectFrom('audit_events').select(['action', 'actor', 'details']).where('target', '=', user.id).orderBy('seq').execute();
    expect(audit.map((e) => e.action).filter((a) => a.includes('totp'))).toEqual(['admin.totp_enrol', 'admin.totp_enable', 'admin_user.totp_reset']);
    const text = JSON.stringify(audit);
    for (const secret of [totp.secret.base32, first, next, body.otpauth_url]) expect(text).not.toContain(secret);
  });

  it('a user turns TOTP off with a current code (not with a wrong or used one)', async () => {
    const user = await h.admin('finance');
    const { totp } = await enrolled(user);
    const first = codeAt(totp);
    expect((await user.request('POST', '/v1/admin/me/totp/confirm', { code: first })).status).toBe(200);
    expect((await user.request('POST', '/v1/admin/me/totp/disable', { code: first })).body.code).toBe('invalid_credentials');
    expect((await user.request('POST', '/v1/admin/me/totp/disable', { code: codeAt(totp, 7) })).status).toBe(401);
    const off = await user.request('POST', '/v1/admin/me/totp/disable', { code: codeAt(totp, 1) });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ totp_enabled: false });
    expect((await login(await emailOf(user.id))).status).toBe(200);
    expect((await user.request('POST', '/v1/admin/me/totp/disable', { code: codeAt(totp, 1) })).body.code).toBe('totp_not_enrolled');
    expect((await user.request('POST', '/v1/admin/me/totp/confirm', { code: codeAt(totp, 1) })).body.code).toBe('totp_not_enrolled');
  });

  it('two sign-ins racing with the same code: exactly one gets a session', async () => {
    const user = await h.admin('support');
    const email = await emailOf(user.id);
    const { totp } = await enrolled(user);
    expect((await user.request('POST', '/v1/admin/me/totp/confirm', { code: codeAt(totp) })).status).toBe(200);
    const code = codeAt(totp, 1);
    const results = await Promise.all([login(email, { totp: code }), login(email, { totp: code }), login(email, { totp: code })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
  });
});
