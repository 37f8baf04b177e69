import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, onRealPostgres } from './database.ts';

// The embedded test database a file leaves behind is emptied and handed to the next file of the worker
// (pglite-recycle.ts). The next file must not be able to tell: no rows, the template's own rows, sequences
// from the start, no statistics, a new session; and a database it cannot make so is not used again.
const count = async (db: Awaited<ReturnType<typeof createTestDatabase>>['database']['db'], table: string) =>
  Number((await sql.raw<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`).execute(db)).rows[0].n);

describe.skipIf(onRealPostgres)('embedded test databases used again (the embedded database only: PostgreSQL gives each file a new database)', () => {
  it('the next file gets the template state: rows gone, seed rows back, sequences restarted, no statistics, a new session; the old handle is closed', async () => {
    const first = await createTestDatabase();
    const db = first.database.db;
    const event = () => sql<{ id: number }>`INSERT INTO recharge_events (kind, outcome) VALUES ('callback', 'recycle-probe') RETURNING id`;
    const seedRows = await count(db, 'schema_migrations');
    const auditHead = (await sql<{ row: string }>`SELECT row_to_json(h)::text AS row FROM audit_head h`.execute(db)).rows;
    expect(seedRows).toBeGreaterThan(0);
    expect(auditHead).toHaveLength(1);
    const firstId = (await event().execute(db)).rows[0].id;
    await event().execute(db);
    await sql`ANALYZE recharge_events`.execute(db);
    await sql`SET application_name = 'left-over'`.execute(db);
    await first.drop();
    await expect(sql`SELECT 1`.execute(db)).rejects.toThrow(/closed|destroyed/);

    const second = await createTestDatabase();
    try {
      expect(second.reused).toBe(true);
      const db2 = second.database.db;
      expect(await count(db2, 'recharge_events')).toBe(0);
      expect(await count(db2, 'schema_migrations')).toBe(seedRows);
      expect((await sql<{ row: string }>`SELECT row_to_json(h)::text AS row FROM audit_head h`.execute(db2)).rows).toEqual(auditHead);
      expect((await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_statistic WHERE starelid = 'recharge_events'::regclass`.execute(db2)).rows[0].n).toBe(0);
      expect((await sql<{ a: string }>`SELECT current_setting('application_name') AS a`.execute(db2)).rows[0].a).not.toBe('left-over');
      expect((await event().execute(db2)).rows[0].id).toBe(firstId);
    } finally {
      await second.drop();
    }
  });

  it('a database whose schema a file changed, or that a file left inside a transaction, is not used again', async () => {
    const altered = await createTestDatabase();
    expect(altered.reused).toBe(true);
    await sql`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`.execute(altered.database.db);
    await altered.drop();
    const next = await createTestDatabase();
    expect(next.reused).toBe(false);
    // a fresh one: the trigger is enabled as the template has it
    expect((await sql<{ e: string }>`SELECT tgenabled::text AS e FROM pg_trigger WHERE tgname = 'audit_events_append_only'`.execute(next.database.db)).rows[0].e).toBe('O');
    await next.drop();

    const open = await createTestDatabase();
    await open.database.exec("BEGIN; INSERT INTO recharge_events (kind, outcome) VALUES ('callback', 'uncommitted')");
    await open.drop();
    const after = await createTestDatabase();
    try {
      expect(after.reused).toBe(false);
      // a fresh one: no transaction to be inside of, and the uncommitted row is nowhere
      expect((await after.database.db.transaction().execute((tx) => sql<{ n: number }>`SELECT count(*)::int AS n FROM recharge_events`.execute(tx))).rows[0].n).toBe(0);
    } finally {
      await after.drop();
    }
  });
});
