import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { appendAudit, verifyAudit } from './audit.service.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('audit log', () => {
  it('chains events and detects a modified, deleted or reordered event', async () => {
    for (let i = 1; i <= 5; i++) {
      await h.ctx.db.transaction().execute((tx) => appendAudit(tx, { actor: 'usr_test', action: 'test.event', target: `t${i}`, details: { i, nested: { b: 1, a: [1, 2] } } }));
    }
    const ok = await verifyAudit(h.ctx.db);
    expect(ok).toMatchObject({ ok: true, events: 5 });

    // the table refuses ordinary updates and deletes
    await expect(sql`UPDATE audit_events SET actor = 'someone else' WHERE seq = 3`.execute(h.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_events WHERE seq = 3`.execute(h.ctx.db)).rejects.toThrow(/append-only/);

    // someone with database superpowers bypasses the trigger and edits event 3
    await tamper(`UPDATE audit_events SET details = '{"i": 3, "nested": {"a": [1, 2], "b": 2}}' WHERE seq = 3`);
    expect(await verifyAudit(h.ctx.db)).toMatchObject({ ok: false, broken_seq: 3, events_checked: 2 });
  });

  it('events written concurrently still form one chain', async () => {
    const before = (await verifyAudit(h.ctx.db)) as { ok: boolean };
    expect(before.ok).toBe(false); // still broken from the previous test: use a fresh harness
    const fresh = await createHarness();
    try {
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => fresh.ctx.db.transaction().execute((tx) => appendAudit(tx, { actor: 'system', action: 'test.concurrent', target: String(i) }))),
      );
      expect(await verifyAudit(fresh.ctx.db)).toMatchObject({ ok: true, events: 30 });
      await fresh.ctx.db.transaction().execute(async (tx) => {
        await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx);
        await sql`DELETE FROM audit_events WHERE seq = 30`.execute(tx);
        await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx);
      });
      expect(await verifyAudit(fresh.ctx.db)).toMatchObject({ ok: false, broken_seq: 30 });
    } finally {
      await fresh.close();
    }
  });
});

async function tamper(statement: string) {
  await h.ctx.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx);
    await sql.raw(statement).execute(tx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx);
  });
}
