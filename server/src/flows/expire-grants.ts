import type { Db } from '../platform/db/db.ts';
import { expireDueGrants } from '../modules/grants/index.ts';
import { releaseCodes } from '../modules/inventory/index.ts';

/**
 * Expires unredeemed grants past their expiry and returns their codes to stock (or to expired / voided when
 * the code expired or its batch was voided meanwhile): grants' part and inventory's part in one transaction,
 * so a grant never ends while its code stays reserved. Bounded per call; returns how many grants expired.
 */
export async function expireGrants(db: Db, limit = 1000): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const done = await expireDueGrants(tx, limit);
    await releaseCodes(tx, done.flatMap((g) => (g.code_id === null ? [] : [g.code_id])));
    return done.length;
  });
}
