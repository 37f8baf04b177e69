import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ClosedLoop } from './stats.ts';

// The raw-SQL ceiling: the call `issueGrant` sends (quanyi_issue_grant: find the product, claim a code with
// quanyi_claim_code, INSERT INTO grants, return the grant with its product), sent straight from `concurrency`
// pg connections with the per-request values computed in JavaScript. No HTTP, no signature, no nonce, no JSON
// schema.
const CLAIM_AND_RECORD = `SELECT * FROM quanyi_issue_grant($2, $3, $1, $4, NULL, NULL, NULL, NULL, NULL, $5, $6,
  '{}'::jsonb, $7, NULL::timestamptz, 365, $3)`;

export async function rawClaimLoad(dbUrl: string, clientId: string, sku: string, concurrency: number) {
  const conns = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new pg.Client({ connectionString: dbUrl, application_name: 'quanyi-bench-raw' });
      await c.connect();
      return c;
    }),
  );
  let seq = 0;
  const loop = new ClosedLoop(
    concurrency,
    async (w) => {
      const id = 'grt_bench' + randomBytes(10).toString('hex');
      const r = await conns[w].query(CLAIM_AND_RECORD, [
        sku,
        id,
        clientId,
        `bench-user-${w}-${seq++}`,
        randomUUID(),
        createHash('sha256').update(id).digest('hex'),
        randomBytes(32),
      ]);
      if (r.rowCount !== 1) throw Object.assign(new Error('out of stock'), { code: 'no_row' });
    },
    (e) => (e as { code?: string }).code ?? String(e),
  );
  return {
    loop,
    close: async () => {
      await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    },
  };
}
