import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../server/src/platform/db/db.ts';
import { migrate } from '../../server/src/platform/db/migrate.ts';
import { Keyring } from '../../server/src/platform/crypto/keyring.ts';
import { loadServerSecrets } from '../../server/src/platform/crypto/server-secrets.ts';
import { createClient } from '../../server/src/modules/clients/clients.service.ts';
import { createProduct } from '../../server/src/modules/catalog/catalog.service.ts';
import { newBatchKey } from '../../server/src/modules/inventory/code-secret.ts';
import { newId } from '../../server/src/platform/ids.ts';

// Fixtures for the benchmark, written straight into the database before the server starts: a client key,
// products, and stock. Stock is generated in SQL (generate_series) with fake ciphertext and unique
// fingerprints: the issuance benchmark never reveals a code, so only the rows' shape and size matter.

export interface BenchClient {
  id: string;
  keyId: string;
  secret: string;
}

export interface BenchProduct {
  id: string;
  sku: string;
}

/** A fresh database on the PostgreSQL server at `serverUrl`; `drop()` removes it. */
export async function createBenchDatabase(serverUrl: string) {
  const name = 'quanyi_bench_' + randomBytes(5).toString('hex');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  return {
    name,
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Migrates and creates the server secrets and one client key (grants:write). */
export async function prepareDatabase(database: Database, keyring: Keyring): Promise<BenchClient> {
  await migrate(database);
  await loadServerSecrets(database.db, keyring);
  const c = await createClient(database.db, keyring, { name: 'bench', scopes: ['grants:write', 'grants:read'] }, 'bench');
  return { id: c.id, keyId: c.key_id, secret: c.secret };
}

export async function benchProduct(database: Database, label: string): Promise<BenchProduct> {
  const p = await createProduct(database.db, {
    sku: `BENCH-${label}-${randomBytes(3).toString('hex')}`.toUpperCase(),
    name: `Bench ${label}`,
    platform: 'iqiyi',
    kind: 'card_code',
    period: { unit: 'month', count: 1 },
    price: 1500,
    validity_days: 30,
  }, 'bench');
  return { id: p.id, sku: p.sku };
}

/**
 * Stocks `n` fake codes for a product in one batch, `chunk` rows per INSERT … SELECT generate_series.
 * Fingerprints are SHA-256 of (batch id, row number): unique, like real HMAC fingerprints.
 */
export async function bulkStock(database: Database, keyring: Keyring, productId: string, n: number, chunk = 100_000): Promise<string> {
  const batchId = newId('bat');
  const bk = newBatchKey(keyring, batchId);
  const fakeCiphertext = randomBytes(12 + 16 + 34); // iv | tag | a typical sealed {"c":…,"p":…}
  await database.db
    .insertInto('batches')
    .values({ id: batchId, product_id: productId, supplier: 'bench', dek_wrapped: bk.wrapped, master_key_id: bk.masterKeyId, imported_by: 'bench', total_rows: n, imported_count: n, report: '{}' })
    .execute();
  for (let from = 1; from <= n; from += chunk) {
    const to = Math.min(n, from + chunk - 1);
    await sql`
      INSERT INTO codes (batch_id, product_id, ciphertext, fingerprint, hint, source_line)
      SELECT ${batchId}, ${productId}, ${fakeCiphertext}::bytea, sha256(convert_to(${batchId} || ':' || i, 'UTF8')),
             '****' || lpad((i % 10000)::text, 4, '0'), i
        FROM generate_series(${from}::int, ${to}::int) AS i`.execute(database.db);
  }
  return batchId;
}

/** Fresh statistics and a clean visibility map before measuring. */
export async function vacuumAnalyze(database: Database) {
  for (const t of ['codes', 'grants', 'products']) await database.exec(`VACUUM ANALYZE ${t}`);
}
