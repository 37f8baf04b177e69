import pg from 'pg';

// Does the claim stay on codes_claim_idx with a large stock? The query is the one inside
// quanyi_claim_code, planned once with the function's settings (seqscan, sort and bitmap scans off) and once without them
// (what the planner would choose on its own).
const CLAIM_SELECT = `SELECT id FROM codes
   WHERE product_id = $1 AND status = 'available' AND (expires_at IS NULL OR expires_at > now())
   ORDER BY product_id, expires_at, id
   LIMIT 1
   FOR UPDATE SKIP LOCKED`;

export interface PlanRun {
  plan: string;
  usesClaimIndex: boolean;
  ms: number;
  /** shared buffers the claim touched */
  buffers: number;
}

export interface PlanCheck {
  stock: number;
  pinned: PlanRun;
  unpinned: PlanRun;
  /** the pinned claim after `claimed` codes were claimed and not yet vacuumed, and after VACUUM */
  deadEntries?: { claimed: number; beforeVacuum: PlanRun; afterVacuum: PlanRun; vacuumSeconds: number };
}

function summarisePlan(rows: Array<Record<string, string>>): string {
  return rows.map((r) => Object.values(r)[0]).join('\n');
}

/**
 * `claimDead`: afterwards, mark that many codes at the head of the claim order reserved (as that many
 * claims would) and measure the claim again before and after VACUUM: the dead index entries every claim
 * has to step over until vacuum removes them. Destructive: run it last, on a bench database.
 */
export async function checkClaimPlan(dbUrl: string, productId: string, claimDead = 0): Promise<PlanCheck> {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  try {
    const stock = Number((await c.query(`SELECT count(*) AS n FROM codes WHERE product_id = $1 AND status = 'available'`, [productId])).rows[0].n);
    const run = async (pinned: boolean) => {
      await c.query('BEGIN');
      try {
        if (pinned) for (const setting of ['enable_seqscan', 'enable_sort', 'enable_bitmapscan']) await c.query(`SET LOCAL ${setting} = off`);
        const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) ${CLAIM_SELECT}`, [productId]);
        const plan = summarisePlan(r.rows);
        const ms = Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN);
        const buffers = Number(/Buffers: shared hit=(\d+)(?: read=(\d+))?/.exec(plan)?.slice(1, 3).reduce((a, b) => a + Number(b ?? 0), 0) ?? NaN);
        return { plan, usesClaimIndex: /codes_claim_idx/.test(plan), ms, buffers };
      } finally {
        await c.query('ROLLBACK');
      }
    };
    const out: PlanCheck = { stock, pinned: await run(true), unpinned: await run(false) };
    if (claimDead > 0) {
      await c.query(
        `UPDATE codes SET status = 'reserved', grant_id = 'grt_bench_dead', updated_at = now()
          WHERE id IN (SELECT id FROM codes WHERE product_id = $1 AND status = 'available' ORDER BY product_id, expires_at, id LIMIT $2)`,
        [productId, claimDead],
      );
      await run(true); // the first scan visits the heap and marks the dead entries; measure the steady state
      const beforeVacuum = await run(true);
      const t = performance.now();
      await c.query('VACUUM codes');
      const vacuumSeconds = (performance.now() - t) / 1000;
      out.deadEntries = { claimed: claimDead, beforeVacuum, afterVacuum: await run(true), vacuumSeconds };
    }
    return out;
  } finally {
    await c.end();
  }
}
