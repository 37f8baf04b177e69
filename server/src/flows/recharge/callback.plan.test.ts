import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCtes } from '../../platform/db/ctes.ts';
import { settleWaitingJobCte } from '../../platform/jobs/jobs.ts';
import { jobMachine } from '../../platform/jobs/job.machine.ts';
import { createTestDatabase, type TestDatabase } from '../../testutil/database.ts';
import { genericPlan } from '../../testutil/plan-inspect.ts';
import { callbackSuccessStatement } from './callback.ts';

// A callback's statement runs prepared (platform/db/prepared.ts), so after five runs a connection keeps its
// generic plan for good. On a new database, before autovacuum has gathered statistics, two plans were wrong
// (the recharge-e2e benchmark: 10 ms per callback, growing with the table): the job step scanned every job
// (with the states as a parameter the planner cannot prove the live-job partial index's predicate) and the attempt lookup
// walked the supplier's index. These read the generic plan on a database without statistics.
describe('the callback statement under a generic plan, on a database without statistics', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t.drop());

  it('finds the attempt by its unique order number and ends the job through the live-job index', async () => {
    const plan = await genericPlan(t.database.db, callbackSuccessStatement('sup_x', 'rco_x-1', { supplier_order_id: 'S1', price_fen: 100, supplier_state: 'success' }, { status: 'success' }));
    expect(plan).toContain('recharge_attempts_customer_order_no_key');
    expect(plan).not.toContain('recharge_attempts_supplier_idx');
    expect(plan).toMatch(/Index Scan using jobs_live_dedupe_idx on jobs/);
    // every row it moves is reached by its key, not through a status index that reads every live row
    expect(plan).toMatch(/Index Scan using recharge_orders_pkey on recharge_orders/);
    expect(plan).toMatch(/Index Scan using grants_pkey on grants/);
    expect(plan).not.toMatch(/Seq Scan on (jobs|grants|recharge_orders|recharge_attempts)\b/);
  });

  it('control: with the states as a parameter the same step cannot use the live-job index', async () => {
    const asParameter = withCtes(
      [{ name: 'done', sql: sql`SELECT 'rca_x'::text AS id` }, { name: 'job', sql: sql`UPDATE jobs SET note = NULL WHERE kind = ${'k'} AND dedupe_key = ${'rca_x'} AND status = ANY(${jobMachine.sourcesOf('settle')}::text[]) RETURNING id` }],
      sql`SELECT id FROM job`,
    );
    // it reads every job of those states instead (a seq scan, or the status index: all queued jobs)
    expect(await genericPlan(t.database.db, asParameter)).not.toContain('jobs_live_dedupe_idx');
    const asLiteral = withCtes([{ name: 'done', sql: sql`SELECT 'rca_x'::text AS id` }, settleWaitingJobCte('job', 'k', sql`SELECT id FROM done`, { after: 'done', result: {} })], sql`SELECT id FROM job`);
    expect(await genericPlan(t.database.db, asLiteral)).toMatch(/Index Scan using jobs_live_dedupe_idx on jobs/);
  });
});
