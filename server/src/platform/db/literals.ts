import { sql, type RawBuilder } from 'kysely';

const WORD = /^[a-z0-9_.:-]+$/;

/**
 * A constant list of status words (a state machine's sources, a fixed kind list) written into the statement as
 * an `ARRAY['a','b']::text[]` literal rather than a parameter. A partial index (`WHERE status IN (…)`) can then
 * serve the statement under a generic plan too: with a parameter the planner cannot prove the index's predicate,
 * and a prepared statement (db/prepared.ts) would scan the table. Only for lists fixed in code: each word is
 * checked, so no value from outside can reach the SQL text this way.
 */
export function textArray(words: readonly string[]): RawBuilder<string[]> {
  if (words.length === 0) return sql<string[]>`'{}'::text[]`;
  for (const w of words) if (!WORD.test(w)) throw new Error(`textArray: not a status word: ${JSON.stringify(w)}`);
  return sql<string[]>`ARRAY[${sql.raw(words.map((w) => `'${w}'`).join(', '))}]::text[]`;
}
