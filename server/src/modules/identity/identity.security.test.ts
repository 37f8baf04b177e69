import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, idem, type Harness } from '../../testutil/harness.ts';
import { createAdminUser } from './identity.service.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_LOGIN_ATTEMPTS_PER_15MIN: '3' });
});
afterAll(() => h?.close());

const login = (email: string, password: string) =>
  http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify({ email, password }) });

describe('admin sign-in and roles', () => {
  it('signs in with argon2id, sets an HTTP-only session cookie, and signs out', async () => {
    await createAdminUser(h.ctx.db, { email: 'Ops@Example.com', password: 'a long enough password', role: 'operator' }, 'test');
    const row = await h.ctx.db.selectFrom('admin_users').select('password_hash').where('email', '=', 'ops@example.com').executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    const r = await login('ops@example.com', 'a long enough password');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ email: 'ops@example.com', role: 'operator' });
    expect(r.body.permissions).toContain('imports:write');
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/quanyi_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0];
    const token = cookie.split('=')[1];
    // only the hash of the session token is stored
    const sessions = await h.ctx.db.selectFrom('admin_sessions').selectAll().execute();
    expect(JSON.stringify(sessions)).not.toContain(token);
    expect((await http(`${h.url}/v1/admin/me`, { headers: { cookie, 'x-quanyi-console': '1' } })).status).toBe(200);
    expect((await http(`${h.url}/v1/admin/logout`, { method: 'POST', headers: { cookie, 'x-quanyi-console': '1' } })).status).toBe(204);
    const after = await http(`${h.url}/v1/admin/me`, { headers: { cookie, 'x-quanyi-console': '1' } });
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('not_signed_in');
  });

  it('refuses wrong passwords and unknown emails alike, and throttles guessing', async () => {
    await createAdminUser(h.ctx.db, { email: 'guard@example.com', password: 'the right password', role: 'admin' }, 'test');
    const wrong = await login('guard@example.com', 'not the password');
    const unknown = await login('nobody@example.com', 'not the password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(unknown.body.code).toBe('invalid_credentials');
    await login('guard@example.com', 'x');
    await login('guard@example.com', 'y');
    const limited = await login('guard@example.com', 'the right password');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
  });

  it('no admin route is open without a session', async () => {
    for (const [method, path] of [['GET', '/v1/admin/products'], ['POST', '/v1/admin/products'], ['GET', '/v1/admin/grants'], ['GET', '/v1/admin/audit'], ['GET', '/v1/admin/clients'], ['POST', '/v1/admin/users']]) {
      const r = await http(h.url + path, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      expect(r.status, `${method} ${path}`).toBe(401);
    }
  });

  it('enforces roles: a role without the permission gets 403 and changes nothing', async () => {
    const finance = await h.admin('finance');
    const support = await h.admin('support');
    const auditor = await h.admin('auditor');
    const operator = await h.admin('operator');
    const create = { sku: 'ROLE-1', name: 'Youku VIP', platform: 'youku', kind: 'card_code', period: { unit: 'month', count: 1 }, price: 1200 };
    const denied = await finance.request('POST', '/v1/admin/products', create);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');
    expect(await h.ctx.db.selectFrom('products').select('id').where('sku', '=', 'ROLE-1').execute()).toEqual([]);
    expect((await operator.request('POST', '/v1/admin/products', create)).status).toBe(201);
    expect((await finance.request('GET', '/v1/admin/products')).status).toBe(200);
    expect((await support.request('GET', '/v1/admin/audit')).status).toBe(403);
    expect((await auditor.request('GET', '/v1/admin/audit')).status).toBe(200);
    expect((await operator.request('POST', '/v1/admin/users', { email: 'x@example.com', password: 'long password 1', role: 'admin' })).status).toBe(403);

    // voiding: support may, finance may not
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 1);
    const g = (await client.request('POST', '/v1/grants', { product: product.sku, recipient: { external_id: 'role' } }, { idempotencyKey: idem() })).body;
    expect((await finance.request('POST', `/v1/admin/grants/${g.id}/void`, {})).status).toBe(403);
    expect((await h.ctx.db.selectFrom('grants').select('status').where('id', '=', g.id).executeTakeFirstOrThrow()).status).toBe('issued');
    const voided = await support.request('POST', `/v1/admin/grants/${g.id}/void`, { reason: 'duplicate order' });
    expect(voided.status).toBe(200);
    expect(voided.body.status).toBe('voided');
    // console staff never get the recipient's link (they could reveal the code with it)
    const search = await support.request('GET', `/v1/admin/grants?product=${product.sku}`);
    expect(search.body.data.map((x: { id: string; redeem_url: string | null }) => [x.id, x.redeem_url])).toEqual([[g.id, null]]);
    expect(JSON.stringify(search.body)).not.toContain(g.redeem_url.split('/r/')[1]);
    const trail = await finance.request('GET', `/v1/admin/grants/${g.id}`);
    expect(trail.body.redeem_url).toBeNull();
    expect(trail.body.trail.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([['grant.void', support.id]]);
  });
});

// The login limit locks an email (per address) after 3 attempts; spelling the same email differently —
// padding, case, compatibility forms — must neither reset the count nor open the lock.
describe('login throttling', () => {
  it('counts every spelling of an email as the same email, and a locked account stays locked', async () => {
    await createAdminUser(h.ctx.db, { email: 'locked@example.com', password: 'correct horse battery', role: 'admin' }, 'test');
    const spellings = ['locked@example.com', ' locked@example.com', 'LOCKED@example.com ', '\tlocked@example.com\n', 'locked＠example.com'];
    const statuses = [];
    for (const email of spellings.slice(0, 3)) statuses.push((await login(email, 'wrong password here')).status);
    expect(statuses).toEqual([401, 401, 401]);
    for (const email of spellings) {
      const right = await login(email, 'correct horse battery');
      expect(right.status, JSON.stringify(email)).toBe(429);
      expect(right.headers.get('set-cookie')).toBeNull();
      expect(right.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('a differently spelled email signs in as the same user when not locked', async () => {
    await createAdminUser(h.ctx.db, { email: 'free@example.com', password: 'correct horse battery', role: 'admin' }, 'test');
    const res = await login('  FREE@example.com ', 'correct horse battery');
    expect(res.status).toBe(200);
    expect(res.body.email).toBe('free@example.com');
  });
});
