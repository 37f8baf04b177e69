import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPostgres, pgliteDatabase, type Database } from '../platform/db/db.ts';
import { MIGRATIONS_DIR, migrate } from '../platform/db/migrate.ts';
import { emptyForNextFile, notePristine, revocable } from './pglite-recycle.ts';

// A fresh, migrated database per test file: an in-memory PGlite by default, a new database on the real
// PostgreSQL server when TEST_DATABASE_URL is set (CI runs the suite both ways). Both start from a template
// migrated once per run (global-setup.ts).
export const onRealPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** Name suffix for tests that only mean something with several connections (`describe.skipIf(!onRealPostgres)`). */
export const POSTGRES_ONLY = '(PostgreSQL only: the embedded database is one connection)';

export interface TestDatabase {
  database: Database;
  url?: string;
  /** embedded: the database is one an earlier file used, emptied (pglite-recycle.ts) */
  reused?: boolean;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return embeddedTestDatabase();
  const name = 'quanyi_t_' + randomBytes(6).toString('hex');
  const template = process.env[PG_TEMPLATE_ENV];
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    // a copy of the migrated template database (global-setup.ts) when there is one: no migrations per file
    await admin.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const database = await openPostgres(url, 16);
  // a no-op on a copy of the template: every migration is recorded there already
  await migrate(database);
  return {
    database,
    url,
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = '/' + name;
  return url.toString();
}

/** Set by global-setup.ts for the test workers: the migrated PostgreSQL database each test database copies. */
export const PG_TEMPLATE_ENV = 'QUANYI_TEST_PG_TEMPLATE';

/**
 * On real PostgreSQL: creates and migrates a template database once per `vitest run`, so each test file's
 * database is a `CREATE DATABASE … TEMPLATE` copy instead of a new database migrated from scratch. Nobody
 * connects to it afterwards (PostgreSQL refuses to copy a database that has sessions). Returns a function
 * that drops it.
 */
export async function createPostgresTemplate(serverUrl: string): Promise<{ name: string; drop(): Promise<void> }> {
  // the name carries its creation time: a run stopped before its teardown (Ctrl-C) leaves its template
  // behind, and the next run drops those older than a day (no run lasts that long; runs may overlap)
  const name = `quanyi_tpl_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const old = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^quanyi_tpl_[0-9]+_'`);
    for (const { datname } of old.rows) {
      if (Number(datname.split('_')[2]) < Date.now() / 1000 - 86_400) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const database = await openPostgres(withDatabase(serverUrl, name), 2);
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return {
    name,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

// Why a template: a fresh PGlite runs initdb inside WebAssembly and then every migration, which is most of
// a test file's set-up time (~4 s of CPU each on an idle core). One migrated data directory, dumped as a tar
// and loaded by every file, skips both. The file name carries a hash of the migrations and the PGlite
// version, so a changed migration builds a new template and a stale one is never used.
const SHARED_BUFFERS = 'shared_buffers=32MB'; // as openPglite: WebAssembly memory is never given back

function templatePath(): string {
  const h = createHash('sha256');
  const pgliteEntry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(pgliteEntry), '..', 'package.json'), 'utf8')) as { version: string };
  h.update(`template v2 pglite ${pkg.version} ${SHARED_BUFFERS}\n`);
  for (const f of fs.readdirSync(MIGRATIONS_DIR).filter((x) => x.endsWith('.sql')).sort()) {
    h.update(f + '\0' + fs.readFileSync(path.join(MIGRATIONS_DIR, f), 'utf8') + '\0');
  }
  return path.join(os.tmpdir(), `quanyi-pglite-template-${h.digest('hex').slice(0, 16)}.tar`);
}

/**
 * Builds the migrated template once (vitest's global set-up calls this before any worker starts) and
 * returns its path. Written to a temporary name and renamed, so a concurrent reader never sees half a file.
 */
export async function ensurePgliteTemplate(): Promise<string> {
  const file = templatePath();
  if (fs.existsSync(file)) return file;
  const { database, pglite } = await startPglite(undefined);
  try {
    await migrate(database);
    // Every test file loads this tarball into a new PGlite: without the two template databases (which nothing
    // here uses: no test creates a database) it is 29 MB instead of 44 MB, and a file's database opens in about
    // 60% of the time.
    await pglite.exec(`UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`);
    for (const name of ['template0', 'template1']) await pglite.exec(`DROP DATABASE ${name}`);
    await pglite.exec('CHECKPOINT');
    const tarball = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, tarball);
    fs.renameSync(tmp, file);
  } finally {
    await database.close();
  }
  return file;
}

/**
 * Fills an empty embedded data directory (QUANYI_DATA_DIR) with the migrated template, as if `quanyi
 * migrate` had run there once, for tests of the `quanyi` command that are not about the first initdb.
 * Nothing else is created: no master key, no server secrets. A copy of files: loading the tar into an
 * on-disk PGlite once per directory cost seconds of CPU, so that is done once per template (ensureTemplateDataDir).
 */
export async function seedEmbeddedDataDir(dataDir: string): Promise<void> {
  // openPglite keeps the PostgreSQL files in <data dir>/pg
  fs.cpSync(path.join(await ensureTemplateDataDir(), 'pg'), path.join(dataDir, 'pg'), { recursive: true });
}

/** The template loaded once into an on-disk data directory (beside the tar, same key), for seedEmbeddedDataDir. */
export async function ensureTemplateDataDir(): Promise<string> {
  const file = await ensurePgliteTemplate();
  const dir = file.replace(/\.tar$/, '.datadir');
  if (fs.existsSync(dir)) return dir;
  const tmp = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.mkdirSync(tmp);
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = new PGlite({ dataDir: path.join(tmp, 'pg'), loadDataDir: new Blob([fs.readFileSync(file)]), postgresqlconf: [SHARED_BUFFERS] });
  await pglite.waitReady;
  await pglite.close();
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    // another worker renamed its copy first: use that one
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw e;
  }
  return dir;
}

// The worker's emptied database waiting for its next file (pglite-recycle.ts): one is enough, files in a worker
// run one after another.
let spare: PGlite | undefined;

/** An in-memory PGlite: the worker's spare, emptied, or one started from the template (no initdb, no migrations). */
async function embeddedTestDatabase(): Promise<TestDatabase> {
  let pglite = spare;
  spare = undefined;
  const reused = Boolean(pglite);
  if (!pglite) {
    pglite = (await startPglite(new Blob([fs.readFileSync(await ensurePgliteTemplate())]))).pglite;
    await notePristine(pglite);
  }
  const instance = pglite;
  const { handle, revoke } = revocable(instance);
  const database = pgliteDatabase(handle);
  return {
    database,
    reused,
    async drop() {
      await database.close();
      revoke();
      const reusable = !spare && (await emptyForNextFile(instance).catch(() => false));
      // another database of the file may have become the spare while this one was emptied
      if (reusable && !spare) spare = instance;
      else await instance.close();
    },
  };
}

// In memory, set up as openPglite sets up an embedded database (which takes no tarball).
async function startPglite(loadDataDir: Blob | undefined) {
  const { PGlite, types } = await import('@electric-sql/pglite');
  const pglite = new PGlite({
    ...(loadDataDir ? { loadDataDir } : {}),
    parsers: { [types.INT8]: (v: string) => Number(v) },
    postgresqlconf: [SHARED_BUFFERS],
  });
  await pglite.waitReady;
  const database: Database = pgliteDatabase(pglite);
  return { database, pglite };
}
