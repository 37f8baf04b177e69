import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onRealPostgres, POSTGRES_ONLY, type TestDatabase } from '../../testutil/database.ts';
import { genericPlan, runtimePlan, setLocal } from '../../testutil/plan-inspect.ts';
import { BATCH_PLAN_SETTINGS } from '../../platform/db/group-commit.ts';
import { moveAttemptsWithAccountSql } from '../../modules/recharges/index.ts';
import { acceptedAnswersStatement, type AcceptedAnswer } from './submit-batch.ts';
import { seedRechargeRows } from './recharge-rows.testkit.ts';

// The submit path's batch statements (submit-batch.ts) are prepared on PostgreSQL, and their generic plans
// — made once per connection, maybe while the tables are tiny — must reach every row by its key for good,
// as the callbacks' batch statement must (callback-batch.plan.test.ts).
const ids = Array.from({ length: 32 }, (_, i) => `rca_x${i}`);
const answers: AcceptedAnswer[] = ids.map((id, i) => ({
  attempt: { id, order_id: `rco_x${i}`, supplier_id: 'sup_x' },
  supplierOrderId: `SO${i}`,
  priceFen: 900,
  supplierState: 'processing',
  outcome: 'accepted:processing',
  supplierCode: 0,
  detail: {},
  run: { id: `job_x${i}`, runs: 1 },
  at: new Date(),
  note: 'attempt accepted',
  result: { attempt: id },
}));
const settings = setLocal(BATCH_PLAN_SETTINGS);
const noSeqScans = (p: string) => expect(p).not.toMatch(/Seq Scan on (jobs|grants|recharge_orders|recharge_attempts)\b/);
/** probes of `table`'s primary key led by the batch's keys (id = ANY(…)), not a read of a whole index */
const keyedProbes = (p: string, table: string) =>
  p.match(new RegExp(`(Index Scan using ${table}_pkey on ${table}( \\w+)?|Bitmap Index Scan on ${table}_pkey)\\s*\\(.*\\n\\s*Index Cond: \\(id = ANY`, 'g'))?.length ?? 0;

function expectStartKeyed(p: string) {
  expect(keyedProbes(p, 'recharge_attempts')).toBe(1);
  // each attempt's order by its key
  expect(p).toMatch(/Index Scan using recharge_orders_pkey on recharge_orders\s*\(.*\n\s*Index Cond: \(id = moved\.order_id\)/);
  noSeqScans(p);
}

function expectAnswersKeyed(p: string) {
  expect(keyedProbes(p, 'recharge_attempts')).toBe(1);
  // the runs that end done and those that poll again
  expect(keyedProbes(p, 'jobs')).toBe(2);
  expect(p).not.toMatch(/jobs_status_idx|recharge_attempts_supplier_idx/);
  noSeqScans(p);
}

describe.skipIf(!onRealPostgres)(`the submit path's prepared batch statements, planned while the tables are tiny ${POSTGRES_ONLY}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedRechargeRows(t, 20, { attemptState: 'created', autovacuum: false });
    await t.database.exec('VACUUM ANALYZE grants, recharge_orders, recharge_attempts, jobs');
  });
  afterAll(async () => t.drop());

  it('starts: the attempts and their orders by primary key', async () => {
    expectStartKeyed(await genericPlan(t.database.db, moveAttemptsWithAccountSql(ids, 'submit', { submitted: true }), { settings }));
  });

  it('answers: the attempts and the jobs by primary key', async () => {
    expectAnswersKeyed(await genericPlan(t.database.db, acceptedAnswersStatement(answers), { settings }));
  });

  it('control: made without the settings, the answers\' plan reads tables whole', async () => {
    expect(await genericPlan(t.database.db, acceptedAnswersStatement(answers))).toMatch(/Seq Scan on (jobs|recharge_attempts)\b/);
  });
});

describe('the submit path\'s batch statements planned at their run, on a database without statistics', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedRechargeRows(t, 6_000, { attemptState: 'created', autovacuum: false });
  });
  afterAll(async () => t.drop());

  it('reach every row they read or move by its key', async () => {
    expectStartKeyed(await runtimePlan(t.database.db, moveAttemptsWithAccountSql(ids, 'submit', { submitted: true })));
    expectAnswersKeyed(await runtimePlan(t.database.db, acceptedAnswersStatement(answers)));
  });
});
