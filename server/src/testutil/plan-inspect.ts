import { sql, type Compilable, type RawBuilder } from 'kysely';
import type { Db } from '../platform/db/db.ts';

// Test support: the plan PostgreSQL would cache for a prepared statement once it goes generic (after five
// runs under plan_cache_mode = auto), without running it. The values are written as literals into EXECUTE
// (a utility statement takes no bind parameters); they only fill the parameters' types.
// `settings` (e.g. `SET LOCAL …`) are applied in a transaction around the planning, as the caller's own
// transaction would.
export async function genericPlan(db: Db, statement: RawBuilder<unknown> | Compilable, opts: { settings?: string } = {}): Promise<string> {
  const compiled = statement.compile(db);
  return db.connection().execute(async (conn) => {
    const name = 'plan_probe';
    await sql`SET plan_cache_mode = force_generic_plan`.execute(conn);
    if (opts.settings) await sql.raw(`BEGIN; ${opts.settings}`).execute(conn);
    try {
      await sql.raw(`PREPARE ${name} AS ${compiled.sql}`).execute(conn);
      const args = compiled.parameters.map(literal).join(', ');
      const r = await sql.raw<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${name}${args ? `(${args})` : ''}`).execute(conn);
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    } finally {
      if (opts.settings) await sql.raw('ROLLBACK').execute(conn);
      await sql.raw(`DEALLOCATE ALL`).execute(conn);
      await sql`RESET plan_cache_mode`.execute(conn);
    }
  });
}

/** The plan PostgreSQL makes for the statement with its values, as when it runs unprepared (EXPLAIN). */
export async function runtimePlan(db: Db, statement: RawBuilder<unknown> | Compilable): Promise<string> {
  const compiled = statement.compile(db);
  const r = await db.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: 'EXPLAIN ' + compiled.sql });
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}

/** Session settings (e.g. a pool's planner settings) as the `settings` of `genericPlan`. */
export const setLocal = (settings: Record<string, string>) => Object.entries(settings).map(([k, v]) => `SET LOCAL ${k} = ${v};`).join(' ');

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // an array literal of unknown type, which takes the parameter's type (timestamptz[], bigint[] …)
  if (Array.isArray(v)) return literal(`{${v.map(arrayElement).join(',')}}`);
  if (v instanceof Date) return literal(v.toISOString());
  return `'${String(v).replace(/'/g, "''")}'`;
}

function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  const text = v instanceof Date ? v.toISOString() : String(v);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
