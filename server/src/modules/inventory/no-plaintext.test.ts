import { sql } from 'kysely';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../platform/config.ts';
import type { AppContext } from '../../platform/context.ts';
import { createAppContext } from '../../compose.ts';
import { Keyring } from '../../platform/crypto/keyring.ts';
import { openPglite } from '../../platform/db/db.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createHarness, TEST_MASTER_KEY } from '../../testutil/harness.ts';
import { onRealPostgres, seedEmbeddedDataDir } from '../../testutil/database.ts';
import { createProduct } from '../catalog/index.ts';
import { normaliseCode } from './code-secret.ts';
import { importCodes } from './import.service.ts';

// DESIGN §3.4: no plaintext code at rest. Import known codes, then look at the raw bytes the database
// wrote (PGlite: every file of its data directory, WAL included; PostgreSQL: a pg_dump).
function knownCodes() {
  const tag = randomBytes(6).toString('hex').toUpperCase();
  const pairs = Array.from({ length: 50 }, (_, i) => ({ card: `PLAINCARD${tag}${String(i).padStart(4, '0')}`, pw: `PLAINPASS${tag}Z${i}` }));
  const file = 'card_number,password\n' + pairs.map((p) => `${p.card},${p.pw}`).join('\n') + '\n';
  return { pairs, file };
}

async function importKnown(ctx: AppContext, file: string) {
  const p = await createProduct(ctx.db, { sku: 'NOPLAIN-' + randomBytes(3).toString('hex'), name: 'n', platform: 'iqiyi', kind: 'card_code' }, 'test');
  const r = await importCodes(ctx, { product: p.sku, input: Readable.from([Buffer.from(file)]), sourceName: 'secret-codes.csv', actor: 'usr_test', chunkSize: 20 });
  expect(r.imported).toBe(50);
}

function expectNoPlaintext(haystacks: Buffer[], ctx: AppContext, pairs: { card: string; pw: string }[], encodeFp: (fp: Buffer) => Buffer) {
  const has = (needle: Buffer) => haystacks.some((b) => b.includes(needle));
  for (const p of pairs) {
    expect(has(Buffer.from(p.card)), `card number ${p.card} found in the database bytes`).toBe(false);
    expect(has(Buffer.from(p.pw)), `password ${p.pw} found in the database bytes`).toBe(false);
  }
  // the scan does see what is stored: the masked hints and the fingerprints are there
  expect(has(Buffer.from('****' + pairs[7].card.slice(-4)))).toBe(true);
  const fp = ctx.secrets.fingerprint(normaliseCode({ card_number: pairs[7].card, password: pairs[7].pw }));
  expect(has(encodeFp(fp))).toBe(true);
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}

describe('no plaintext code in the database', () => {
  it('embedded: no file of the data directory (heap, WAL, …) holds a plaintext code', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qy-noplain-'));
    await seedEmbeddedDataDir(dir); // the migrated template (no initdb in WebAssembly): no code in it yet
    const database = await openPglite(dir, 'test');
    expect(await migrate(database)).toEqual([]);
    const keyring = new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]);
    const ctx = await createAppContext(loadConfig({ QUANYI_MASTER_KEY: TEST_MASTER_KEY, QUANYI_DATA_DIR: dir, LOG_LEVEL: 'silent' }), database, keyring);
    const { pairs, file } = knownCodes();
    await importKnown(ctx, file);
    await ctx.close();
    await database.close();
    const files = filesUnder(dir);
    expect(files.some((f) => /pg_wal/.test(f))).toBe(true);
    expectNoPlaintext(files.map((f) => fs.readFileSync(f)), ctx, pairs, (fp) => fp);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it(`a dump of the database holds no plaintext code (${onRealPostgres ? 'pg_dump' : 'every row of every table as text'})`, async () => {
    const h = await createHarness();
    try {
      const { pairs, file } = knownCodes();
      await importKnown(h.ctx, file);
      let dump: Buffer;
      if (onRealPostgres) {
        dump = execFileSync('pg_dump', ['--no-owner', h.testDb.url!], { maxBuffer: 256 * 1024 * 1024 });
        expect(dump.includes(Buffer.from('CREATE TABLE public.codes'))).toBe(true);
      } else {
        // the embedded database has no pg_dump: dump every row of every table as text (bytea as hex, as pg_dump does)
        const tables = await sql<{ t: string }>`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`.execute(h.ctx.db);
        const parts: string[] = [];
        for (const { t } of tables.rows) {
          const rows = await sql<{ r: string }>`SELECT x::text AS r FROM ${sql.table(t)} x`.execute(h.ctx.db);
          parts.push(...rows.rows.map((r) => r.r));
        }
        dump = Buffer.from(parts.join('\n'));
        expect(parts.length).toBeGreaterThan(3);
      }
      // bytea is dumped as hex
      expectNoPlaintext([dump], h.ctx, pairs, (fp) => Buffer.from(fp.toString('hex')));
    } finally {
      await h.close();
    }
  });
});
