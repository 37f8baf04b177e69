import pg from 'pg';

// Does the claim stay on codes_claim_idx with a large stock? The query is the one inside
// quanyi_claim_code, planned once with the function's `SET enable_seqscan = off` and once without it
// (what the planner would choose on its own).
const CLAIM_SELECT = `SELECT id FROM codes
   WHERE product_id = $1 AND status = 'available' AND (expires_at IS NULL OR expires_at > now())
   ORDER BY product_id, expires_at, id
   LIMIT 1
   FOR UPDATE SKIP LOCKED`;

export interface PlanCheck {
  stock: number;
  pinned: { plan: string; usesClaimIndex: boolean; ms: number };
  unpinned: { plan: string; usesClaimIndex: boolean; ms: number };
}

function summarisePlan(rows: Array<Record<string, string>>): string {
  return rows.map((r) => Object.values(r)[0]).join('\n');
}

export async function checkClaimPlan(dbUrl: string, productId: string): Promise<PlanCheck> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const stock = Number((await c.query(`SELECT count(*) AS n FROM codes WHERE product_id = $1 AND status = 'available'`, [productId])).rows[0].n);
    const run = async (pinned: boolean) => {
      await c.query('BEGIN');
      try {
        if (pinned) await c.query('SET LOCAL enable_seqscan = off');
        const r = await c.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${CLAIM_SELECT}`, [productId]);
        const plan = summarisePlan(r.rows);
        const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
        return { plan, usesClaimIndex: /codes_claim_idx/.test(plan), ms };
      } finally {
        await c.query('ROLLBACK');
      }
    };
    return { stock, pinned: await run(true), unpinned: await run(false) };
  } finally {
    await c.end();
  }
}
