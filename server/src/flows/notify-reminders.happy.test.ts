import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, idem, type Harness } from '../testutil/harness.ts';
import { sweepReminders, shiftByPeriod } from './notify-reminders.ts';

// Expiry reminders: one before an unclaimed grant expires, one before a redeemed membership's period ends
// (with the renewal link), each exactly once however often the sweep runs, also two sweeps at once.
let h: Harness;
beforeAll(async () => {
  h = await createHarness({ QUANYI_NOTIFY_REMINDER_DAYS: '3' });
});
afterAll(() => h?.close());

const DAY = 86_400_000;
const messages = (grantId: string) => h.ctx.db.selectFrom('notify_messages').selectAll().where('grant_id', '=', grantId).orderBy('channel').execute();

describe('expiry reminders', () => {
  it('shifts by calendar months and by days', () => {
    expect(shiftByPeriod(new Date('2026-01-31T10:00:00Z'), { unit: 'month', count: 1 }, 1).toISOString()).toBe('2026-03-03T10:00:00.000Z');
    expect(shiftByPeriod(new Date('2026-03-10T00:00:00Z'), { unit: 'quarter', count: 1 }, -1).toISOString()).toBe('2025-12-10T00:00:00.000Z');
    expect(shiftByPeriod(new Date('2026-03-10T00:00:00Z'), { unit: 'week', count: 2 }, 1).toISOString()).toBe('2026-03-24T00:00:00.000Z');
  });

  it('remind once before an unclaimed grant expires and once before a period ends, whatever the reruns', async () => {
    const client = await h.client();
    const product = await h.product({ name: '芒果TV月卡', period: { unit: 'month', count: 1 } });
    await h.stock(product.id, 4);
    const issue = (phone: string, expiresInDays: number) =>
      client.request('POST', '/v1/grants', { product: product.sku, recipient: { phone }, expires_at: new Date(Date.now() + expiresInDays * DAY).toISOString() }, { idempotencyKey: idem() });
    const soon = (await issue('13500000001', 2)).body;
    const later = (await issue('13500000002', 20)).body;
    const member = (await issue('13500000003', 200)).body;
    const fresh = (await issue('13500000004', 200)).body;
    // two memberships redeemed: one a month minus two days ago (its period ends in two days), one just now
    for (const g of [member, fresh]) expect((await fetch(`${h.url}/v1/redeem/${g.redeem_url.split('/r/')[1]}/reveal`, { method: 'POST' })).status).toBe(200);
    const redeemedAt = shiftByPeriod(new Date(Date.now() + 2 * DAY), { unit: 'month', count: 1 }, -1);
    await h.ctx.db.updateTable('grants').set({ redeemed_at: redeemedAt }).where('id', '=', member.id).execute();
    const admin = await h.admin();
    await admin.request('PUT', `/v1/admin/notify/products/${product.id}/settings`, { send_codes: false, renewal_url: 'https://shop.example.com/renew/mgtv' });

    const [a, b] = await Promise.all([sweepReminders(h.ctx), sweepReminders(h.ctx)]);
    expect(a + b).toBe(4); // sms + in-app for each of the two due grants
    expect(await sweepReminders(h.ctx)).toBe(0);

    const unclaimed = await messages(soon.id);
    expect(unclaimed.map((m) => [m.event, m.channel, m.category])).toEqual([
      ['reminder.unclaimed_expiry', 'inapp', 'marketing'],
      ['reminder.unclaimed_expiry', 'sms', 'marketing'],
    ]);
    const periodEnd = await messages(member.id);
    expect(periodEnd.map((m) => m.event)).toEqual(['reminder.period_end', 'reminder.period_end']);
    expect(periodEnd[0].dedupe_key).toMatch(new RegExp(`^reminder.period_end:${member.id}:\\d{4}-\\d{2}-\\d{2}:inapp$`));
    const vars = JSON.parse(h.ctx.secrets.openPii(Buffer.from(periodEnd[0].vars_enc), 'notify-vars:' + periodEnd[0].id));
    expect(vars.renewal_url).toBe('https://shop.example.com/renew/mgtv');
    expect(await messages(later.id)).toEqual([]);
    expect(await messages(fresh.id)).toEqual([]);
    // one job per message written
    const jobs = await h.ctx.db.selectFrom('jobs').select('id').where('kind', '=', 'notify.send').execute();
    expect(jobs.length).toBe(4);
  });
});
