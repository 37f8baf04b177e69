import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

// Named prepared statements for the hot paths (issuing, accepting and settling recharges, claiming jobs).
// node-postgres sends every query as an unnamed statement, so PostgreSQL parses, analyses and plans it anew
// each time: for a composed statement of seven data-modifying CTEs that is a third of the database's work.
// A statement marked here is sent under a name derived from its text; each connection then parses it once
// and, after five runs, reuses a generic plan (plan_cache_mode = auto).
//
// Opt-in, not every query: a prepared statement lives as long as its connection, so only statements whose
// text is fixed (values are parameters; no IN-lists of varying length) may be marked, or a connection would
// collect one statement per list length. The mark is a trailing comment, so the statement's text still
// begins with its command word (the embedded pool reads it from there) and an unmarked driver simply runs it.
const MARK = ' /*qy:prepared*/';
/** statement text → name: hashing a composed statement's few kilobytes on every call showed in the profile */
const names = new Map<string, string>();

/** The statement, marked to run as a named prepared statement on PostgreSQL. */
export function prepared<R>(statement: RawBuilder<R>): RawBuilder<R> {
  return sql<R>`${statement}${sql.raw(MARK)}`;
}

/**
 * node-postgres query arguments for a (text, values) call: a named query config when the text is marked,
 * else the arguments unchanged. The name is a digest of the text, so two texts never share a name.
 */
export function asPreparedQuery(args: unknown[]): unknown[] {
  if (!isMarked(args)) return args;
  const [text, values] = args as [string, unknown];
  let name = names.get(text);
  if (!name) {
    name = 'qy_' + createHash('sha1').update(text).digest('base64url');
    // marked texts are few and fixed; the bound only guards against a mistake
    if (names.size > 1000) names.clear();
    names.set(text, name);
  }
  return [{ name, text, values }, ...args.slice(2)];
}

export function isMarked(args: unknown[]): boolean {
  return typeof args[0] === 'string' && args[0].endsWith(MARK);
}

/**
 * A prepared statement whose result columns changed under it: a migration altered a table it returns `*` of
 * while this connection kept the statement (a rolling upgrade: the new version migrates, the old one still
 * serves). PostgreSQL refuses to run it again on that connection.
 */
export function isStalePreparedPlan(e: unknown): boolean {
  return (e as { code?: string }).code === '0A000' && /cached plan must not change result type/.test(String((e as Error).message));
}
