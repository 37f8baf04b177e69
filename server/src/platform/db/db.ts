import path from 'node:path';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { PGlitePool } from './pglite-pool.ts';
import type { DB } from './schema.ts';
import { asPreparedQuery, isMarked, isStalePreparedPlan } from './prepared.ts';
import { isDatabaseUnavailable } from './unavailable.ts';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the root handle or a transaction: services take this so callers decide the transaction. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pg' | 'pglite';
  /** Runs a multi-statement SQL script (migrations). */
  exec(script: string): Promise<void>;
  /**
   * A small pool of its own whose sessions run with `settings` (planner settings for one prepared statement:
   * see flows/recharge/callback-batch.ts), opened on first use, one per `name`, closed with the database.
   * The embedded database has one connection: it answers its own handle, settings unapplied.
   */
  dedicated(name: string, size: number, settings: Record<string, string>): Db;
  close(): Promise<void>;
}

// int8 (counts, money in 分, code ids) as JS numbers: every value we store is far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export interface PostgresTimeouts {
  /** connecting, and waiting for a free pooled connection (ms; 0 = wait forever) */
  connectTimeoutMs: number;
  /** server-side statement_timeout (ms; 0 = none) */
  statementTimeoutMs: number;
  /** client-side: nothing came back on an open connection (a dead link) (ms; 0 = none) */
  queryTimeoutMs: number;
}

/** A pooled client whose connection failed: it must be destroyed on release, never handed out again. */
const BROKEN = Symbol('quanyi.broken');
type PoolClient = pg.PoolClient & { [BROKEN]?: boolean };

const SETTING = /^[a-z_]+$/;

type PostgresOptions = { timeouts?: Partial<PostgresTimeouts>; onError?: (err: Error) => void; settings?: Record<string, string> };

export async function openPostgres(url: string, poolSize: number, opts: PostgresOptions = {}): Promise<Database> {
  return postgresDatabase(url, poolSize, opts);
}

/** The pool connects on first use: nothing here waits. */
function postgresDatabase(url: string, poolSize: number, opts: PostgresOptions): Database {
  const t = opts.timeouts ?? {};
  const settings = Object.entries(opts.settings ?? {}).map(([k, v]) => {
    if (!SETTING.test(k) || !SETTING.test(v)) throw new Error(`bad session setting ${k}=${v}`);
    return `-c ${k}=${v}`;
  });
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    application_name: 'quanyi',
    keepAlive: true,
    ...(settings.length ? { options: settings.join(' ') } : {}),
    ...(t.connectTimeoutMs ? { connectionTimeoutMillis: t.connectTimeoutMs } : {}),
    ...(t.statementTimeoutMs ? { statement_timeout: t.statementTimeoutMs } : {}),
    ...(t.queryTimeoutMs ? { query_timeout: t.queryTimeoutMs } : {}),
  });
  const onError = opts.onError ?? (() => undefined);
  pool.on('error', (err) => {
    // an idle client died (server restart, pg_terminate_backend); the pool replaces it on next use
    onError(err);
  });
  pool.on('connect', (client: PoolClient) => {
    // A client that is checked out has no pool listener: when its backend is terminated between two
    // queries, or its socket closes, node-postgres emits 'error' on it, and an 'error' nobody listens to
    // ends the process. This listener marks the client broken instead; the query in flight (if any) fails
    // on its own and the request answers 503.
    client.on('error', (err) => {
      client[BROKEN] = true;
      onError(err);
    });
  });
  // Kysely only needs connect() and end(). The wrapper destroys, on release, a client whose connection
  // failed or timed out: node-postgres leaves a timed-out query's connection usable in appearance, and
  // the next request would wait behind the lost answer.
  const guarded = {
    async connect() {
      const client = (await pool.connect()) as PoolClient;
      const query = client.query;
      const release = client.release;
      const run = (args: unknown[]) => (query as (...a: unknown[]) => unknown).apply(client, args);
      client.query = function (this: PoolClient, ...args: unknown[]) {
        let r = run(asPreparedQuery(args));
        if (r && typeof (r as Promise<unknown>).catch === 'function') {
          if (isMarked(args)) {
            // a statement this connection prepared before a migration changed its result columns: run it
            // unprepared this once (outside a transaction that is all it takes) and retire the connection,
            // whose other prepared statements may be as stale
            r = (r as Promise<unknown>).catch((e: unknown) => {
              if (!isStalePreparedPlan(e)) throw e;
              client[BROKEN] = true;
              return run(args);
            });
          }
          (r as Promise<unknown>).catch((e: unknown) => {
            if (isDatabaseUnavailable(e)) client[BROKEN] = true;
          });
        }
        return r;
      } as typeof client.query;
      client.release = ((err?: Error | boolean) => {
        client.query = query;
        client.release = release;
        return release.call(client, err ?? (client[BROKEN] ? true : undefined));
      }) as typeof client.release;
      return client;
    },
    end: () => pool.end(),
  };
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: guarded as never }) });
  const side = new Map<string, Database>();
  return {
    db,
    kind: 'pg',
    async exec(script) {
      await pool.query(script);
    },
    dedicated(name, size, sessionSettings) {
      let d = side.get(name);
      if (!d) {
        d = postgresDatabase(url, size, { ...opts, settings: sessionSettings });
        side.set(name, d);
      }
      return d.db;
    },
    async close() {
      for (const d of side.values()) await d.close();
      await db.destroy();
    },
  };
}

/** A started PGlite as a Database: one connection, scripts run on it; `onClose` runs after the pool ends. */
export function pgliteDatabase(pglite: PGliteType, onClose: () => void = () => {}): Database {
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
    dedicated: () => db,
    async close() {
      try {
        await db.destroy();
      } finally {
        onClose();
      }
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
    return pgliteDatabase(pglite, release);
  } catch (e) {
    release();
    throw e;
  }
}

export async function openDatabase(
  opts: { databaseUrl?: string; dataDir: string; poolSize: number; timeouts?: Partial<PostgresTimeouts>; onError?: (err: Error) => void },
  command: string,
): Promise<Database> {
  return opts.databaseUrl
    ? openPostgres(opts.databaseUrl, opts.poolSize, { timeouts: opts.timeouts, onError: opts.onError })
    : openPglite(opts.dataDir, command);
}

/** Runs `fn` in the caller's transaction when `db` is one, else in a new transaction. */
export function inTx<T>(db: Executor, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Tx) : db.transaction().execute(fn);
}
