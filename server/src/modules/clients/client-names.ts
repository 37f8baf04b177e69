import type { Executor } from '../../platform/db/db.ts';

/** Names of clients by id (the console shows who issued a grant); unknown ids are absent. */
export async function clientNames(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await db.selectFrom('clients').select(['id', 'name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
