import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { enqueueNotification, quietUntil, startSmsGateway, type SmsGateway, type NotificationInput } from './index.ts';
import { SEND_JOB } from './notify.service.ts';
import { startSending, waitFor } from './notify.testkit.ts';

// Marketing messages (reminders): deferred in quiet hours, skipped over the daily cap and after an
// unsubscribe — each recorded; transactional messages go at any hour and are not capped.
let h: Harness;
let gw: SmsGateway;
let sending: { stop(): Promise<void> };

beforeAll(async () => {
  gw = await startSmsGateway({ accessKeyId: 'LTAI-mkt', accessKeySecret: 'mkt' });
  h = await createHarness({ ALIYUN_SMS_ENDPOINT: gw.url, ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-mkt', ALIYUN_SMS_ACCESS_KEY_SECRET: 'mkt', QUANYI_NOTIFY_MARKETING_PER_DAY: '2' });
  sending = startSending(h.ctx);
});
afterAll(async () => {
  await sending?.stop();
  await h?.close();
  await gw?.close();
});

const NO_QUIET = { start: 0, end: 0, utcOffsetMinutes: 480 };
const msg = (id: string) => h.ctx.db.selectFrom('notify_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const settled = (id: string) => waitFor(async () => ((await msg(id)).status !== 'queued' ? msg(id) : null));
const send = (input: Partial<NotificationInput> & { phone: string }) =>
  h.ctx.db.transaction().execute((tx) => enqueueNotification(h.ctx, tx, { event: 'reminder.unclaimed_expiry', channel: 'sms', vars: { product_name: '优酷VIP', expires_at: '2026-12-01', redeem_url: 'https://x.test/r/t' }, ...input }));

describe('quiet hours', () => {
  it('are computed in Asia/Shanghai, across midnight', () => {
    const q = { start: 21, end: 8, utcOffsetMinutes: 480 };
    expect(quietUntil(new Date('2026-06-01T12:59:00Z'), q)).toBeNull(); // 20:59 Shanghai
    expect(quietUntil(new Date('2026-06-01T13:00:00Z'), q)?.toISOString()).toBe('2026-06-02T00:00:00.000Z'); // 21:00 → 08:00 next day
    expect(quietUntil(new Date('2026-06-01T22:30:00Z'), q)?.toISOString()).toBe('2026-06-02T00:00:00.000Z'); // 06:30 → 08:00
    expect(quietUntil(new Date('2026-06-02T00:00:00Z'), q)).toBeNull(); // 08:00
    expect(quietUntil(new Date(), NO_QUIET)).toBeNull();
  });

  it('defer a marketing message (not sent, the job waits until they end) but not a transactional one', async () => {
    const hour = (new Date().getUTCHours() + 8) % 24;
    h.ctx.config.notify.quietHours = { start: hour, end: (hour + 2) % 24, utcOffsetMinutes: 480 };
    try {
      const m = await send({ phone: '13900000001' });
      const tx = await send({ phone: '13900000001', event: 'phone.verify', vars: { code: '123456', minutes: '5' } });
      expect((await settled(tx.id)).status).toBe('sent');
      const job = await waitFor(async () => {
        const j = await h.ctx.db.selectFrom('jobs').selectAll().where('kind', '=', SEND_JOB).where('payload', '@>', JSON.stringify({ message_id: m.id }) as never).executeTakeFirstOrThrow();
        return j.note?.startsWith('quiet hours') ? j : null;
      });
      expect(job.status).toBe('queued');
      expect(job.run_at.getTime()).toBeGreaterThan(Date.now() + 3_600_000);
      expect((await msg(m.id)).status).toBe('queued');
      expect(gw.messages.filter((x) => x.out_id === m.id)).toHaveLength(0);
      // the hours end: the job runs again and sends it
      h.ctx.config.notify.quietHours = NO_QUIET;
      await h.ctx.db.updateTable('jobs').set({ run_at: new Date() }).where('id', '=', job.id).execute();
      expect((await settled(m.id)).status).toBe('sent');
    } finally {
      h.ctx.config.notify.quietHours = NO_QUIET;
    }
  });
});

describe('frequency cap and unsubscribe', () => {
  it('skips (and records) marketing messages over the daily cap; transactional ones still go', async () => {
    h.ctx.config.notify.quietHours = NO_QUIET;
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push((await send({ phone: '13900000002', dedupeKey: `cap-${i}` })).id);
    const rows = await Promise.all(ids.map(settled));
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(2);
    const skipped = rows.filter((r) => r.status === 'skipped');
    expect(skipped).toHaveLength(2);
    expect(skipped.every((r) => r.skip_reason === 'frequency_cap')).toBe(true);
    const t = await send({ phone: '13900000002', event: 'grant.issued', vars: { product_name: 'x', redeem_url: 'https://x.test/r/t' } });
    expect((await settled(t.id)).status).toBe('sent');
  });

  it('honours the signed unsubscribe link of a marketing message', async () => {
    h.ctx.config.notify.quietHours = NO_QUIET;
    const first = await send({ phone: '13900000003', dedupeKey: 'unsub-1' });
    expect((await settled(first.id)).status).toBe('sent');
    const link = gw.messages.find((x) => x.out_id === first.id)!.template_param.unsubscribe_url;
    expect(link).toMatch(/\/v1\/public\/unsubscribe\/msg_/);
    // a forged token unsubscribes nobody
    expect((await fetch(link.replace(/.{4}$/, '0000'))).status).toBe(404);
    const res = await fetch(link);
    expect(res.status).toBe(200);
    expect((await fetch(link, { method: 'POST' })).status).toBe(200); // again: no change, no error
    const later = await send({ phone: '13900000003', dedupeKey: 'unsub-2' });
    const row = await settled(later.id);
    expect(row.status).toBe('skipped');
    expect(row.skip_reason).toBe('unsubscribed');
    // transactional messages still reach them
    const code = await send({ phone: '13900000003', event: 'phone.verify', vars: { code: '654321', minutes: '5' } });
    expect((await settled(code.id)).status).toBe('sent');
    const admin = await h.admin('operator');
    const list = await admin.request('GET', '/v1/admin/notify/unsubscribes');
    expect(list.body.data).toEqual([expect.objectContaining({ recipient_masked: '139****0003', channel: 'sms' })]);
    const log = await admin.request('GET', `/v1/admin/notify/messages?status=skipped&channel=sms`);
    expect(log.status).toBe(200);
    expect(log.body.data.map((m: { id: string }) => m.id)).toContain(later.id);
    expect(JSON.stringify(log.body)).not.toContain('13900000003');
  });
});
