import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../testutil/harness.ts';
import { onRealPostgres, POSTGRES_ONLY } from '../testutil/database.ts';
import { sweepReminders } from './notify-reminders.ts';

// Several server processes sweep at the same time: each reminder is still written once (the message's
// unique dedupe key), and so is its job. Races need several connections: PostgreSQL only.
describe.skipIf(!onRealPostgres)(`reminders under concurrent sweeps ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ QUANYI_NOTIFY_REMINDER_DAYS: '3' });
  });
  afterAll(() => h?.close());

  it('eight sweeps at once over 30 due grants write 60 messages and 60 jobs', async () => {
    const client = await h.client();
    const product = await h.product();
    await h.stock(product.id, 30);
    for (let i = 0; i < 30; i++) {
      const r = await client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone: `1370000${String(i).padStart(4, '0')}` }, expires_at: new Date(Date.now() + 86_400_000).toISOString() }, { idempotencyKey: idem() });
      expect(r.status).toBe(201);
    }
    const written = await Promise.all(Array.from({ length: 8 }, () => sweepReminders(h.ctx)));
    expect(written.reduce((a, b) => a + b, 0)).toBe(60);
    const n = await h.ctx.db.selectFrom('notify_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(60);
    const jobs = await h.ctx.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'notify.send').executeTakeFirstOrThrow();
    expect(Number(jobs.n)).toBe(60);
  });
});

describe.skipIf(!onRealPostgres)(`phone codes under concurrency ${POSTGRES_ONLY}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h?.close());

  const post = (path: string, body: unknown) => fetch(h.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('20 parallel requests for one phone send one code; 20 parallel wrong guesses take at most 5 attempts', async () => {
    const sends = await Promise.all(Array.from({ length: 20 }, () => post('/v1/public/phone-codes', { phone: '13300000001', purpose: 'campaign' })));
    expect(sends.filter((r) => r.status === 202)).toHaveLength(1);
    expect(sends.filter((r) => r.status === 429)).toHaveLength(19);
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => post('/v1/public/phone-codes/verify', { phone: '13300000001', code: String(900000 + i), purpose: 'campaign' })));
    const codes = await Promise.all(guesses.map(async (r) => ((await r.json()) as { code: string }).code));
    expect(codes.filter((c) => c === 'phone_code_invalid').length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'phone_code_attempts_exceeded').length).toBeGreaterThanOrEqual(15);
    const row = await h.ctx.db.selectFrom('notify_phone_codes').select('attempts').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(5);
  });
});
