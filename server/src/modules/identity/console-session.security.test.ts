import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { createAdminUser } from './identity.service.ts';
import { createSession } from './sessions.ts';

// The console's CSRF defence and session lifetime, probed from outside: a request with a valid session
// cookie but without the X-Quanyi-Console header (what a cross-site form or CORS-less fetch sends) is refused
// and changes nothing; a foreign Origin is refused even with the header; no CORS preflight grants the header;
// a session unused for longer than the idle timeout ends with its own code, told to every request that carries it.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_SESSION_IDLE_MINUTES: '30', QUANYI_LOGIN_ATTEMPTS_PER_15MIN: '3' });
});
afterAll(() => h?.close());

const json = { 'content-type': 'application/json' };

describe('the console header', () => {
  it('a valid cookie without the header is refused with 403 console_header_missing, on reads and writes, and changes nothing', async () => {
    const admin = await h.admin();
    const target = await h.admin('operator');
    const me = await http(`${h.url}/v1/admin/me`, { headers: { cookie: admin.cookie } });
    expect(me.status).toBe(403);
    expect(me.body.code).toBe('console_header_missing');
    expect(me.headers.get('content-type')).toContain('application/problem+json');
    expect((await http(`${h.url}/v1/admin/me`, { headers: { cookie: admin.cookie, 'x-quanyi-console': '0' } })).body.code).toBe('console_header_missing');

    const disable = await http(`${h.url}/v1/admin/users/${target.id}`, { method: 'PATCH', headers: { cookie: admin.cookie, ...json }, body: JSON.stringify({ status: 'disabled' }) });
    expect(disable.status).toBe(403);
    expect(disable.body.code).toBe('console_header_missing');
    // a body-less POST (what a cross-site <form> can send) too
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'csrf' } }, { idempotencyKey: idem() });
    const voided = await http(`${h.url}/v1/admin/grants/${g.body.id}/void`, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(voided.status).toBe(403);
    const row = await h.ctx.db.selectFrom('admin_users').select('status').where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('active');
    expect((await h.ctx.db.selectFrom('grants').select('status').where('id', '=', g.body.id).executeTakeFirstOrThrow()).status).toBe('issued');
    // with the header, the same requests work
    expect((await admin.request('PATCH', `/v1/admin/users/${target.id}`, { status: 'disabled' })).status).toBe(200);
  });

  it('login without the header is refused before anything happens: no session, no throttle count', async () => {
    await createAdminUser(h.ctx.db, { email: 'hdr@example.com', password: 'correct horse battery', role: 'admin' }, 'test');
    const sessionsBefore = (await h.ctx.db.selectFrom('admin_sessions').select('token_hash').execute()).length;
    for (let i = 0; i < 5; i++) {
      const r = await http(`${h.url}/v1/admin/login`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'hdr@example.com', password: 'correct horse battery' }) });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('console_header_missing');
      expect(r.headers.get('set-cookie')).toBeNull();
    }
    expect((await h.ctx.db.selectFrom('admin_sessions').select('token_hash').execute()).length).toBe(sessionsBefore);
    // five refused attempts did not use up the limit of 3
    const ok = await http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { ...json, 'x-quanyi-console': '1' }, body: JSON.stringify({ email: 'hdr@example.com', password: 'correct horse battery' }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('set-cookie')).toMatch(/quanyi_session=/);
  });

  it('logout without the header does not end the session (a forged logout)', async () => {
    const admin = await h.admin();
    const r = await http(`${h.url}/v1/admin/logout`, { method: 'POST', headers: { cookie: admin.cookie } });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('console_header_missing');
    expect((await admin.request('GET', '/v1/admin/me')).status).toBe(200);
  });

  it('a cross-site Origin is refused even with the header, and changes nothing', async () => {
    const admin = await h.admin();
    const target = await h.admin('support');
    for (const extra of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }] as Record<string, string>[]) {
      const r = await http(`${h.url}/v1/admin/users/${target.id}`, { method: 'PATCH', headers: { ...admin.headers, ...json, ...extra }, body: JSON.stringify({ role: 'admin' }) });
      expect(r.status, JSON.stringify(extra)).toBe(403);
      expect(r.body.code).toBe('cross_site_request');
    }
    const login = await http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { ...json, 'x-quanyi-console': '1', origin: 'https://evil.example' }, body: JSON.stringify({ email: 'hdr@example.com', password: 'correct horse battery' }) });
    expect(login.status).toBe(403);
    expect(login.headers.get('set-cookie')).toBeNull();
    expect((await h.ctx.db.selectFrom('admin_users').select('role').where('id', '=', target.id).executeTakeFirstOrThrow()).role).toBe('support');
  });

  it('no CORS: a preflight for the header is not granted, and no response carries Access-Control-Allow-*', async () => {
    const admin = await h.admin();
    for (const path of ['/v1/admin/me', '/v1/admin/login', '/v1/admin/users']) {
      const pre = await http(h.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-quanyi-console, content-type' },
      });
      expect(pre.status, path).toBeGreaterThanOrEqual(400);
      for (const name of ['access-control-allow-origin', 'access-control-allow-headers', 'access-control-allow-credentials', 'access-control-allow-methods']) {
        expect(pre.headers.get(name), `${path} ${name}`).toBeNull();
      }
    }
    const me = await http(`${h.url}/v1/admin/me`, { headers: { ...admin.headers, origin: 'https://evil.example' } });
    expect(me.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('session idle timeout', () => {
  /** moves a session's clock: `column` set to now() minus `ago` (a PostgreSQL interval) */
  const age = (userId: string, column: 'last_seen_at' | 'expires_at', ago: string) =>
    h.ctx.db.updateTable('admin_sessions').set({ [column]: sql`now() - ${ago}::interval` }).where('user_id', '=', userId).execute();
  const expectStatus = async (admin: { request: (m: string, p: string) => Promise<{ status: number; body: { code?: string } }> }, status: number, code?: string) => {
    const r = await admin.request('GET', '/v1/admin/me');
    expect(r.status).toBe(status);
    if (code) expect(r.body.code).toBe(code);
  };

  it('/me tells the console the idle timeout and whether TOTP is on', async () => {
    const admin = await h.admin('finance');
    const me = await admin.request('GET', '/v1/admin/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: admin.id, role: 'finance', idle_timeout_seconds: 1800, totp_enabled: false });
  });

  it('a session idle for longer than the timeout answers 401 session_expired to every request, several at once too', async () => {
    const admin = await h.admin();
    await age(admin.id, 'last_seen_at', '31 minutes');
    // a console page sends several calls at once: each must hear why (the first one used to delete the session,
    // and the others said not_signed_in, so the login page could lose "your session expired")
    const answers = await Promise.all([1, 2, 3, 4].map(() => admin.request('GET', '/v1/admin/me')));
    expect(answers.map((r) => [r.status, r.body.code])).toEqual(Array(4).fill([401, 'session_expired']));
    await expectStatus(admin, 401, 'session_expired');
    // and it never comes back to life: the idle clock is not moved by a refused request
    expect((await h.ctx.db.selectFrom('admin_sessions').select(sql<boolean>`last_seen_at < now() - interval '30 minutes'`.as('idle')).where('user_id', '=', admin.id).executeTakeFirstOrThrow()).idle).toBe(true);
  });

  it("a user's sessions past their expiry are removed when they sign in again", async () => {
    const admin = await h.admin();
    await age(admin.id, 'expires_at', '1 second');
    await createSession(h.ctx.db, admin.id, 12, {});
    const rows = await h.ctx.db.selectFrom('admin_sessions').select(sql<boolean>`expires_at > now()`.as('live')).where('user_id', '=', admin.id).execute();
    expect(rows).toEqual([{ live: true }]);
  });

  it('a session used within the timeout lives on; last-seen is written only when over a minute old', async () => {
    const admin = await h.admin();
    const seen = () => h.ctx.db.selectFrom('admin_sessions').select('last_seen_at').where('user_id', '=', admin.id).executeTakeFirstOrThrow();
    await age(admin.id, 'last_seen_at', '29 minutes');
    await expectStatus(admin, 200);
    const touched = (await seen()).last_seen_at;
    expect(Date.now() - touched.getTime()).toBeLessThan(10_000);

    // fresh (under a minute): requests do not write
    await age(admin.id, 'last_seen_at', '20 seconds');
    h.ctx.sessions.forgetUser(admin.id); // past the embedded database's short lookup cache
    const before = (await seen()).last_seen_at.getTime();
    for (let i = 0; i < 3; i++) await expectStatus(admin, 200);
    expect((await seen()).last_seen_at.getTime()).toBe(before);
  });

  it('the absolute TTL still applies to a session in use', async () => {
    const admin = await h.admin();
    await age(admin.id, 'expires_at', '1 second');
    await expectStatus(admin, 401, 'not_signed_in');
  });
});
