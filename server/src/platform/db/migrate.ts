import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { SERVER_ROOT } from '../paths.ts';
import type { Database } from './db.ts';

export const MIGRATIONS_DIR = path.join(SERVER_ROOT, 'migrations');

/**
 * Applies pending migrations in name order, each in its own transaction. An advisory lock makes
 * concurrent starts against one PostgreSQL wait for each other instead of racing.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  await database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  for (const file of files) {
    const script = fs.readFileSync(path.join(dir, file), 'utf8');
    const done = await database.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(7261001)`.execute(tx);
      const seen = await sql<{ name: string }>`SELECT name FROM schema_migrations WHERE name = ${file}`.execute(tx);
      if (seen.rows.length) return false;
      // multi-statement scripts need the simple query protocol: run through sql.raw without parameters
      await sql.raw(script).execute(tx);
      await sql`INSERT INTO schema_migrations (name) VALUES (${file})`.execute(tx);
      return true;
    });
    if (done) applied.push(file);
  }
  return applied;
}
