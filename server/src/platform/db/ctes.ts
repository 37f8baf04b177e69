import { sql, type RawBuilder } from 'kysely';
import { prepared } from './prepared.ts';

// One statement out of several modules' SQL (DESIGN §8: one or two round trips per request). A module writes
// the SQL for its own tables as a named common table expression; a flow strings them together with
// `withCtes` and reads the result in one round trip. PostgreSQL runs every data-modifying CTE exactly once,
// in one snapshot, and the statement is its own transaction: all of it happens or none of it.
// A CTE that must happen only when another did selects FROM it (`INSERT … SELECT … FROM prev`), so an empty
// step empties every step after it.
export interface Cte {
  /** the alias later steps and the final SELECT refer to */
  name: string;
  sql: RawBuilder<unknown>;
}

const ALIAS = /^[a-z_][a-z0-9_]*$/;

/** A CTE alias, checked (it is written into SQL as an identifier). */
export function cteRef(name: string): RawBuilder<unknown> {
  if (!ALIAS.test(name)) throw new Error(`bad CTE alias ${name}`);
  return sql.raw(name);
}

export function withCtes<R>(ctes: Cte[], select: RawBuilder<unknown>): RawBuilder<R> {
  const parts = ctes.map((c) => sql`${cteRef(c.name)} AS (${c.sql})`);
  // a composed statement's text is fixed per flow (its values are parameters): prepared once per connection
  return prepared(sql<R>`WITH ${sql.join(parts, sql`, `)} ${select}`);
}

export function isRawBuilder(x: unknown): x is RawBuilder<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { toOperationNode?: unknown }).toOperationNode === 'function';
}
