import path from 'node:path';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { PGlitePool } from './pglite-pool.ts';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the root handle or a transaction: services take this so callers decide the transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pg' | 'pglite';
  /** Runs a multi-statement SQL script (migrations). */
  exec(script: string): Promise<void>;
  close(): Promise<void>;
}

// int8 (counts, money in 分, code ids) as JS numbers: every value we store is far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: 'quanyi' });
  pool.on('error', () => {
    /* an idle client died (server restart); the pool replaces it on next use */
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'pg',
    async exec(script) {
      await pool.query(script);
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Embedded PGlite; `dataDir` undefined means in memory (tests). */
export async function openPglite(dataDir: string | undefined, command = 'quanyi', sharedBuffers = '32MB'): Promise<Database> {
  const release = dataDir ? acquireDataDirLock(dataDir, command) : () => {};
  try {
    // loaded only in embedded mode
    const { PGlite, types: pgliteTypes } = await import('@electric-sql/pglite');
    const pglite: PGliteType = new PGlite({
      dataDir: dataDir ? path.join(dataDir, 'pg') : undefined,
      parsers: { [pgliteTypes.INT8]: (v: string) => Number(v) },
      // PGlite's default 128 MB of shared buffers is WebAssembly memory the process never gives back; the
      // operating system caches the data files anyway. 32 MB cuts ~100 MB of resident memory.
      postgresqlconf: [`shared_buffers=${sharedBuffers}`],
    });
    await pglite.waitReady;
    const pool = new PGlitePool(pglite);
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as never }) });
    return {
      db,
      kind: 'pglite',
      async exec(script) {
        const conn = await pool.connect();
        try {
          await pglite.exec(script);
        } finally {
          conn.release();
        }
      },
      async close() {
        try {
          await db.destroy();
        } finally {
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

export async function openDatabase(
  opts: { databaseUrl?: string; dataDir: string; poolSize: number },
  command: string,
): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize) : openPglite(opts.dataDir, command);
}

/** Runs `fn` in the caller's transaction when `db` is one, else in a new transaction. */
export function inTx<T>(db: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Tx) : db.transaction().execute(fn);
}
