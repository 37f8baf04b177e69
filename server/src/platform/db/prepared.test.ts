import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onRealPostgres, type TestDatabase } from '../../testutil/database.ts';
import { textArray } from './literals.ts';
import { asPreparedQuery, prepared } from './prepared.ts';

describe('prepared statements', () => {
  it('names a marked statement by its text and leaves every other query alone', () => {
    const marked = 'SELECT $1::int /*qy:prepared*/';
    const [a] = asPreparedQuery([marked, [1]]) as [{ name: string; text: string; values: unknown[] }];
    const [b] = asPreparedQuery([marked, [2]]) as [{ name: string }];
    const [c] = asPreparedQuery(['SELECT $1::text /*qy:prepared*/', ['x']]) as [{ name: string }];
    expect(a).toMatchObject({ text: marked, values: [1] });
    expect(a.name).toMatch(/^qy_/);
    expect(b.name).toBe(a.name);
    expect(c.name).not.toBe(a.name);
    expect(asPreparedQuery(['SELECT 1', []])).toEqual(['SELECT 1', []]);
  });

  it('writes a constant list of states as a literal array and refuses anything else', () => {
    expect(() => textArray(["queued'; DROP TABLE jobs; --"])).toThrow(/not a status word/);
    expect(() => textArray(['Queued'])).toThrow(/not a status word/);
  });

  describe('on the test database', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase();
    });
    afterAll(async () => t.drop());

    it('runs a marked statement, and on PostgreSQL the connection keeps it prepared', async () => {
      const names = await t.database.db.connection().execute(async (conn) => {
        const r = await prepared(sql<{ n: number; states: string[] }>`SELECT ${41}::int + 1 AS n, ${textArray(['queued', 'running'])} AS states`).execute(conn);
        expect(r.rows).toEqual([{ n: 42, states: ['queued', 'running'] }]);
        return (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements`.execute(conn)).rows.map((x) => x.name);
      });
      if (onRealPostgres) expect(names.some((n) => n.startsWith('qy_'))).toBe(true);
      else expect(names).toEqual([]); // the embedded pool runs every query unnamed
    });

    it('still answers, with the new columns, after a migration changed what a prepared statement returns', async () => {
      // a rolling upgrade: the new version adds a column while this process keeps the statement prepared
      await sql`CREATE TABLE probe_rows (a int)`.execute(t.database.db);
      await sql`INSERT INTO probe_rows VALUES (1)`.execute(t.database.db);
      const rows = await t.database.db.connection().execute(async (conn) => {
        const all = () => prepared(sql<Record<string, number>>`SELECT * FROM probe_rows`).execute(conn);
        await all();
        await all();
        await sql`ALTER TABLE probe_rows ADD COLUMN b int NOT NULL DEFAULT 7`.execute(conn);
        return (await all()).rows;
      });
      expect(rows).toEqual([{ a: 1, b: 7 }]);
      // and the pool goes on serving
      expect((await prepared(sql<Record<string, number>>`SELECT * FROM probe_rows`).execute(t.database.db)).rows).toEqual([{ a: 1, b: 7 }]);
    });
  });
});
