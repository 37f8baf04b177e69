import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../platform/db/db.ts';
import { createTestDatabase, onRealPostgres, seedEmbeddedDataDir, type TestDatabase } from '../../testutil/database.ts';
import { TEST_MASTER_KEY } from '../../testutil/harness.ts';
import { startServerProcess } from '../../testutil/server-process.ts';

// `npm start` is `quanyi serve --demo`. Demo data (an admin login, a client key, products with fake codes)
// belongs to the embedded database of a first start; pointed at a PostgreSQL through DATABASE_URL — which may
// well be production — it seeds nothing unless QUANYI_DEMO=true says so explicitly (issue 5 §4).
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}, 60_000);

async function count(url: string | undefined, dataDir?: string) {
  if (url) {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const r = await c.query('SELECT (SELECT count(*) FROM admin_users) AS admins, (SELECT count(*) FROM products) AS products');
    await c.end();
    return { admins: Number(r.rows[0].admins), products: Number(r.rows[0].products) };
  }
  const db = await openPglite(dataDir!, 'test');
  const r = await db.db.selectFrom('admin_users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const p = await db.db.selectFrom('products').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  await db.close();
  return { admins: Number(r.n), products: Number(p.n) };
}

describe('serve --demo on the embedded database', () => {
  it('seeds demo data on a first start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-demo-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    // an empty, migrated database (the test template), no master key: what a first start finds once initdb has
    // run; initdb itself costs ~5 s of CPU and is platform/db/db.test.ts's
    await seedEmbeddedDataDir(dataDir);
    const s = await startServerProcess(['--demo', '--no-workers'], { DATABASE_URL: '', QUANYI_DATA_DIR: dataDir, QUANYI_MASTER_KEY: '' });
    await s.stop();
    expect(s.stdout()).toContain('Demo data created');
    expect(s.stdout()).toContain('DEMO-IQIYI-DIRECT-1M');
    expect(await count(undefined, dataDir)).toEqual({ admins: 1, products: 3 });
  }, 120_000);
});

describe.skipIf(!onRealPostgres)('serve --demo with DATABASE_URL (real PostgreSQL)', () => {
  let testDb: TestDatabase;
  it('seeds nothing into a PostgreSQL unless QUANYI_DEMO=true', async () => {
    testDb = await createTestDatabase();
    cleanups.push(() => testDb.drop());
    const env = { DATABASE_URL: testDb.url!, QUANYI_MASTER_KEY: TEST_MASTER_KEY, REDIS_URL: '' };
    const plain = await startServerProcess(['--demo', '--no-workers'], env);
    await plain.stop();
    expect(plain.stdout()).not.toContain('Demo data created');
    expect(plain.stdout()).toContain('QUANYI_DEMO=true');
    expect(await count(testDb.url)).toEqual({ admins: 0, products: 0 });

    const asked = await startServerProcess(['--demo', '--no-workers'], { ...env, QUANYI_DEMO: 'true' });
    await asked.stop();
    expect(asked.stdout()).toContain('Demo data created');
    expect(await count(testDb.url)).toEqual({ admins: 1, products: 3 });
  }, 180_000);
});
