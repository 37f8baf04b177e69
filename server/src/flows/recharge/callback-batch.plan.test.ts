import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCtes } from '../../platform/db/ctes.ts';
import { createTestDatabase, onRealPostgres, POSTGRES_ONLY, type TestDatabase } from '../../testutil/database.ts';
import { genericPlan, runtimePlan, setLocal } from '../../testutil/plan-inspect.ts';
import { firstSuccessesStatement, type FirstSuccess } from './callback-batch.ts';
import { BATCH_PLAN_SETTINGS } from '../../platform/db/group-commit.ts';
import { seedRechargeRows } from './recharge-rows.testkit.ts';

// The batch statement of first successes. On the embedded database it is planned at every run, for the
// batch's size and the tables' size at that moment; on PostgreSQL it is prepared, and its generic plan —
// made once per connection, maybe while the tables are still empty — must be the keyed plan for good. The
// planner knows nothing of an earlier step's rows and, on a new database, nothing of the tables' contents. Written as joins, two steps read far more than their batch
// (the callbacks benchmark: 10 ms of database time per callback after 21,000 recharges): the job step read
// every queued job of the kind through its index, and a status index (all queued rows) looked cheaper than
// the primary key. This reads the plan on a database without statistics whose tables hold thousands of rows
// (on small tables reading them whole is right, and the planner does).
const items: FirstSuccess[] = Array.from({ length: 32 }, (_, i) => ({
  supplierId: 'sup_x',
  customerOrderNo: `rco_x${i}-1`,
  supplierOrderId: `S${i}`,
  priceFen: 1000,
  detail: { status: 'success' },
}));

const expectKeyed = (p: string) => {
  // the attempts by their unique order number, one probe per callback
  expect(p).toMatch(/Index Scan using recharge_attempts_customer_order_no_key on recharge_attempts\s*\(.*\n\s*Index Cond: \(customer_order_no = i\.customer_order_no\)/);
  // the attempts it moves by their primary key, the batch's keys leading
  expect(p).toMatch(/(Index Scan using recharge_attempts_pkey on recharge_attempts a(_\d+)?|Bitmap Index Scan on recharge_attempts_pkey)\s*\(.*\n\s*Index Cond: \(id = ANY/);
  // the orders, grants and jobs it moves by their primary keys
  for (const table of ['recharge_orders', 'grants', 'jobs']) expect(p).toMatch(new RegExp(`(Index Scan using|Bitmap Index Scan on) ${table}_pkey`));
  expect(p).toMatch(/Index Scan using jobs_live_dedupe_idx on jobs\s*\(.*\n\s*Index Cond: \(\(kind = ('recharge\.attempt'::text|\$\d+)\) AND \(dedupe_key = f\.id\)\)/);
  expect(p).not.toMatch(/Seq Scan on (jobs|grants|recharge_orders|recharge_attempts)\b/);
  expect(p).not.toMatch(/jobs_status_idx|grants_status|recharge_attempts_supplier_idx/);
};

describe.skipIf(!onRealPostgres)(`the prepared batch statement's generic plan, made while the tables are tiny ${POSTGRES_ONLY}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    // a new database whose tables autovacuum analyzed while they held a page or less
    await seedRechargeRows(t, 20, { attemptState: 'accepted', autovacuum: false });
    await t.database.exec('VACUUM ANALYZE grants, recharge_orders, recharge_attempts, jobs');
  });
  afterAll(async () => t.drop());

  it('is the keyed plan when made under the statement\'s settings', async () => {
    expectKeyed(await genericPlan(t.database.db, firstSuccessesStatement(items), { settings: setLocal(BATCH_PLAN_SETTINGS) }));
  });

  it('the batches run on a pool of their own whose sessions have those settings; the shared pool keeps the defaults', async () => {
    const show = async (db: typeof t.database.db) => (await sql<{ enable_seqscan: string }>`SHOW enable_seqscan`.execute(db)).rows[0].enable_seqscan;
    expect(await show(t.database.dedicated('callback-batches', 1, BATCH_PLAN_SETTINGS))).toBe('off');
    expect(await show(t.database.db)).toBe('on');
  });

  it('control: made without them, it reads tables whole — and would keep doing so as they grow', async () => {
    expect(await genericPlan(t.database.db, firstSuccessesStatement(items))).toMatch(/Seq Scan on (jobs|grants|recharge_orders)\b/);
  });
});

describe('the batch statement of first successes planned at its run, on a database without statistics', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedRechargeRows(t, 6_000, { attemptState: 'accepted', autovacuum: false });
    const stats = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stats WHERE tablename IN ('grants', 'recharge_orders', 'recharge_attempts', 'jobs')`.execute(t.database.db);
    expect(stats.rows[0].n).toBe(0);
  });
  afterAll(async () => t.drop());

  it('reaches every row it reads or moves by its key', async () => {
    expectKeyed(await runtimePlan(t.database.db, firstSuccessesStatement(items)));
  });

  it('control: the job step written as a join reads the live jobs of the kind, not the batch', async () => {
    const asJoin = withCtes(
      [
        { name: 'done', sql: sql`SELECT unnest(${items.map((x) => x.customerOrderNo)}::text[]) AS id` },
        { name: 'job', sql: sql`UPDATE jobs SET note = NULL WHERE kind = 'recharge.attempt' AND dedupe_key IN (SELECT id FROM done) AND status = ANY('{queued}'::text[]) RETURNING id` },
      ],
      sql`SELECT id FROM job`,
      { prepared: false },
    );
    expect(await runtimePlan(t.database.db, asJoin)).not.toMatch(/Index Cond: \(\(kind = ('recharge\.attempt'::text|\$\d+)\) AND \(dedupe_key = /);
  });
});
