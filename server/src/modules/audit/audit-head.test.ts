import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { createHarness, type Harness } from '../../testutil/harness.ts';
import { appendAudit, verifyAudit } from './audit.service.ts';
import { parseExpectedHead, signHead, verifySignedHead } from './audit-head.ts';

// Deleting the newest events and rewinding the head row leaves a chain that is intact in itself: only a
// head kept outside the database can tell (issue 5 §4). `audit head` exports it (HMAC-signed with a key
// derived from the master key, which a database superuser does not have); `audit verify --expect-head`
// checks the chain against it.
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

const append = (i: number) => h.ctx.db.transaction().execute((tx) => appendAudit(tx, { actor: 'usr_test', action: 'test.event', target: `t${i}`, details: { i } }));

async function superuser(statements: string[]) {
  await h.ctx.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(tx);
    for (const s of statements) await sql.raw(s).execute(tx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`.execute(tx);
  });
}

describe('an exported chain head catches a truncated or rewritten log', () => {
  it('detects the newest events deleted and the head rewound, which the chain alone cannot', async () => {
    for (let i = 1; i <= 6; i++) await append(i);
    const exported = await verifyAudit(h.ctx.db);
    expect(exported).toMatchObject({ ok: true, events: 6 });
    const head = { seq: 6, hash: (exported as { head_hash: string }).head_hash };

    // the log may grow after the export: still fine
    await append(7);
    expect(await verifyAudit(h.ctx.db, undefined, { expectHead: head })).toMatchObject({ ok: true, events: 7 });

    // a superuser deletes events 5–7 and rewinds the head row to event 4
    const four = (await sql<{ hash: string }>`SELECT hash FROM audit_events WHERE seq = 4`.execute(h.ctx.db)).rows[0].hash;
    await superuser(['DELETE FROM audit_events WHERE seq >= 5', `UPDATE audit_head SET seq = 4, hash = '${four}' WHERE id = 1`]);
    expect(await verifyAudit(h.ctx.db)).toMatchObject({ ok: true, events: 4 }); // undetectable from inside
    const r = await verifyAudit(h.ctx.db, undefined, { expectHead: head });
    expect(r).toMatchObject({ ok: false, broken_seq: 5, events_checked: 4 });
    expect((r as { reason: string }).reason).toMatch(/4 events.*expected head is event 6/);

    // re-appending different events up to seq 6 does not pass either: event 6's hash differs
    await append(50);
    await append(60);
    const r2 = await verifyAudit(h.ctx.db, undefined, { expectHead: head });
    expect(r2).toMatchObject({ ok: false, broken_seq: 6 });
    expect((r2 as { reason: string }).reason).toMatch(/differs from the expected head/);
  });

  it('signs the head with a key derived from the master key; a database superuser cannot forge one', () => {
    const head = { seq: 6, hash: 'ab'.repeat(32) };
    const signed = signHead(h.ctx.keyring, head, new Date('2026-11-29T12:00:00Z'));
    expect(signed).toMatchObject({ seq: 6, hash: head.hash, at: '2026-11-29T12:00:00.000Z', key_id: h.ctx.keyring.current.id });
    expect(signed.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifySignedHead(h.ctx.keyring, signed)).toEqual({ seq: 6, hash: head.hash });
    // a rewound copy of the file, or one signed with another key, is refused
    expect(() => verifySignedHead(h.ctx.keyring, { ...signed, seq: 4 })).toThrow(/signature/);
    const other = new Keyring([Buffer.alloc(32, 9)]);
    expect(() => verifySignedHead(h.ctx.keyring, signHead(other, head))).toThrow(/not in the keyring|signature/);
    // after a key rotation the older key still verifies its heads
    const rotated = new Keyring([Buffer.alloc(32, 9), ...h.ctx.keyring.keys.map((k) => k.key)]);
    expect(verifySignedHead(rotated, signed)).toEqual({ seq: 6, hash: head.hash });
  });

  it('parses SEQ:HASH and refuses anything else', () => {
    expect(parseExpectedHead('12:' + 'a'.repeat(64))).toEqual({ seq: 12, hash: 'a'.repeat(64) });
    for (const bad of ['12', '12:xyz', 'x:' + 'a'.repeat(64), '-1:' + 'a'.repeat(64), '12:' + 'a'.repeat(64) + 'junk']) {
      expect(() => parseExpectedHead(bad), bad).toThrow(/SEQ:HASH/);
    }
  });
});
