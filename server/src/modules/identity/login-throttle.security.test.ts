import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, http, type Harness } from '../../testutil/harness.ts';
import { createAdminUser } from './identity.service.ts';

// The login limit locks an email (per address) after 3 attempts; spelling the same email differently —
// padding, case, compatibility forms — must neither reset the count nor open the lock.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_LOGIN_ATTEMPTS_PER_15MIN: '3' });
});
afterAll(() => h?.close());

const login = (email: string, password: string) =>
  http(`${h.url}/v1/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-quanyi-console': '1' }, body: JSON.stringify({ email, password }) });

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
