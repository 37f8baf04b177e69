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

/**
 * The steps and the final SELECT as one statement. A composed statement's text is fixed per flow (its values
 * are parameters), so it is prepared once per connection — unless `prepared: false`: a statement over a batch
 * of rows is planned at each run, for the batch's real size and the tables' size now (a generic plan made on
 * a young table would stay with the connection after the table has grown).
 */
export function withCtes<R>(ctes: Cte[], select: RawBuilder<unknown>, opts: { prepared?: boolean } = {}): RawBuilder<R> {
  const parts = ctes.map((c) => sql`${cteRef(c.name)} AS (${c.sql})`);
  const statement = sql<R>`WITH ${sql.join(parts, sql`, `)} ${select}`;
  return opts.prepared === false ? statement : prepared(statement);
}

export function isRawBuilder(x: unknown): x is RawBuilder<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as { toOperationNode?: unknown }).toOperationNode === 'function';
}

/**
 * The condition of a guarded update by key: the rows whose `id` the subquery `keys` yields and that pass
 * `guard` (a status guard from a state machine). One key: `id = (keys) AND guard`. Many (a batch):
 * `id = ANY(ARRAY(keys)) AND (guard) IS TRUE`, so that only the keys can lead the plan:
 * - not `IN (keys)`: that is a join the planner may drive from the table's side, guessing one row for any
 *   earlier step (measured: every queued job read per batch of callbacks);
 * - the guard `IS TRUE` means the same (NULL is not true) but is no index condition: without statistics the
 *   planner rated a status index (every queued row) cheaper than ten primary-key probes.
 * An `UPDATE … FROM step` joins on the key as well and adds this guard over the step's keys: the join alone
 * let the planner read the whole primary-key index (or a status index) and filter it against the step.
 */
export function keyedGuard(keys: RawBuilder<unknown>, guard: RawBuilder<unknown>, opts: { many?: boolean; column?: string } = {}): RawBuilder<unknown> {
  // `column`: the key qualified (`a.id`) where the statement joins another step that has an `id` too
  const key = sql.ref(opts.column ?? 'id');
  return opts.many ? sql`${key} = ANY(ARRAY(${keys})) AND (${guard}) IS TRUE` : sql`${key} = (${keys}) AND ${guard}`;
}
