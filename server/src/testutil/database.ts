import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite, openPostgres, type Database } from '../platform/db/db.ts';
import { migrate } from '../platform/db/migrate.ts';

// A fresh, migrated database per test file: an in-memory PGlite by default, a new database on the real
// PostgreSQL server when TEST_DATABASE_URL is set (CI runs the suite both ways).
export const onRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

export interface TestDatabase {
  database: Database;
  url?: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const database = await openPglite(undefined);
    await migrate(database);
    return { database, drop: () => database.close() };
  }
  const name = 'quanyi_t_' + randomBytes(6).toString('hex');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  const database = await openPostgres(url.toString(), 16);
  await migrate(database);
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
