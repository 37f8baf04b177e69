import type { PGlite } from '@electric-sql/pglite';

// The embedded test database of a file, used again by the next file its worker runs, emptied in between.
// Starting a PGlite from the template (load ~1,500 files into its in-memory file system, instantiate the
// WebAssembly, start PostgreSQL) costs ~0.3 s of CPU and a burst of garbage each time; emptying one costs
// ~0.1 s. A file still gets a database that looks just as a fresh one does (the template's rows, sequences
// from the start, no planner statistics, a new session), and it is used again only when nothing can carry
// over from the file before:
// - a file's handle is revoked when it closes its database, so late work of that file fails instead of
//   writing into the next one's;
// - a database left inside a transaction, or whose schema, functions, triggers (enabled or not), roles or
//   settings differ from the template's (a test that alters a table), is closed, never used again.

/** What a database fresh from the template holds: compared and restored when it is emptied. */
interface Pristine {
  fingerprint: string;
  tables: string[];
  seeds: Array<{ table: string; rows: string }>;
  sequences: Array<{ name: string; value: number; called: boolean }>;
}

// The objects a test could change, by identity and definition (object ids stay put in one instance; a thing
// dropped and created again has a new one). Sizes, relfilenodes and statistics are left out: they change with
// the rows, which the emptying takes care of.
const FINGERPRINT = `
  WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%'),
       rel AS (SELECT c.oid FROM pg_class c WHERE c.relnamespace IN (SELECT oid FROM ns))
  SELECT md5(string_agg(x, E'\\n' ORDER BY x)) AS fingerprint FROM (
    SELECT 'n ' || n.oid || ' ' || n.nspname FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
    UNION ALL SELECT 'c ' || c.oid || ' ' || c.relname || ' ' || c.relkind::text || ' ' || c.relnamespace FROM pg_class c WHERE c.oid IN (SELECT oid FROM rel)
    UNION ALL SELECT 'a ' || a.attrelid || ' ' || a.attnum || ' ' || a.attname || ' ' || a.atttypid || ' ' || a.attnotnull || ' ' || a.attisdropped || ' ' || a.atthasdef
      FROM pg_attribute a WHERE a.attrelid IN (SELECT oid FROM rel) AND a.attnum > 0
    UNION ALL SELECT 'd ' || d.oid || ' ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid IN (SELECT oid FROM rel)
    UNION ALL SELECT 'k ' || k.oid || ' ' || k.conname || ' ' || pg_get_constraintdef(k.oid) FROM pg_constraint k WHERE k.connamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 't ' || t.oid || ' ' || t.tgname || ' ' || t.tgenabled::text FROM pg_trigger t WHERE t.tgrelid IN (SELECT oid FROM rel)
    UNION ALL SELECT 'p ' || p.oid || ' ' || p.proname || ' ' || md5(coalesce(p.prosrc, '')) || ' ' || coalesce(p.proconfig::text, '')
      FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
    UNION ALL SELECT 'y ' || y.oid || ' ' || y.typname FROM pg_type y WHERE y.typnamespace IN (SELECT oid FROM ns) AND y.typrelid = 0
    UNION ALL SELECT 'e ' || e.oid || ' ' || e.enumlabel FROM pg_enum e
    UNION ALL SELECT 'r ' || r.oid || ' ' || r.rolname || ' ' || r.rolsuper FROM pg_roles r
    UNION ALL SELECT 's ' || s.setdatabase || ' ' || s.setrole || ' ' || s.setconfig::text FROM pg_db_role_setting s
    UNION ALL SELECT 'x ' || x.oid || ' ' || x.extname || ' ' || x.extversion FROM pg_extension x
  ) f(x)`;

const TABLES = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1`;

const SEQUENCES = `SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS name, coalesce(last_value, start_value)::float8 AS value, last_value IS NOT NULL AS called
  FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`;

// in autocommit every statement starts its own transaction, at its own start: an earlier start means one was left open
const IN_TRANSACTION = `SELECT transaction_timestamp() <> statement_timestamp() AS open`;

let pristine: Promise<Pristine> | undefined;

async function readPristine(pglite: PGlite): Promise<Pristine> {
  const fingerprint = (await pglite.query<{ fingerprint: string }>(FINGERPRINT)).rows[0].fingerprint;
  const tables = (await pglite.query<{ name: string }>(TABLES)).rows.map((r) => r.name);
  const seeds: Pristine['seeds'] = [];
  for (const table of tables) {
    const rows = (await pglite.query<{ rows: string | null }>(`SELECT json_agg(t)::text AS rows FROM ${table} t`)).rows[0].rows;
    if (rows) seeds.push({ table, rows });
  }
  const sequences = (await pglite.query<Pristine['sequences'][number]>(SEQUENCES)).rows;
  return { fingerprint, tables, seeds, sequences };
}

/** Called with each database fresh from the template before it is handed out: the first one is the measure. */
export function notePristine(pglite: PGlite): Promise<void> {
  pristine ??= readPristine(pglite);
  return pristine.then(() => undefined);
}

/** A handle on `pglite` that stops working when its file closes it; the instance itself stays open. */
export function revocable(pglite: PGlite): { handle: PGlite; revoke(): void } {
  let live = true;
  const closed = () => Promise.reject(new Error('this test database was closed: its test file has ended'));
  const handle = {
    query: (...args: Parameters<PGlite['query']>) => (live ? pglite.query(...args) : closed()),
    exec: (...args: Parameters<PGlite['exec']>) => (live ? pglite.exec(...args) : closed()),
    close: async () => {
      live = false;
    },
  };
  return { handle: handle as unknown as PGlite, revoke: () => (live = false) };
}

/**
 * Empties a database a file has finished with, back to the template's state. False (and the caller closes
 * it) when it cannot be: a transaction left open, or a schema that is not the template's any more.
 */
export async function emptyForNextFile(pglite: PGlite): Promise<boolean> {
  if (!pristine) return false;
  const p = await pristine;
  // the simple protocol: under the extended one a statement's own transaction starts at Parse, before the statement's clock
  if (((await pglite.exec(IN_TRANSACTION))[0].rows[0] as { open: boolean }).open) return false;
  // the session as new: settings, prepared statements, temporary tables, advisory locks, listeners
  await pglite.exec('DISCARD ALL');
  if ((await pglite.query<{ fingerprint: string }>(FINGERPRINT)).rows[0].fingerprint !== p.fingerprint) return false;
  await pglite.transaction(async (tx) => {
    await tx.exec(`TRUNCATE ${p.tables.join(', ')} RESTART IDENTITY CASCADE`);
    // no planner statistics, as on a fresh database (plan tests read plans chosen without them)
    await tx.exec(`DELETE FROM pg_statistic WHERE starelid IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))`);
    for (const s of p.seeds) await tx.query(`INSERT INTO ${s.table} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${s.table}, $1::json)`, [s.rows]);
    for (const q of p.sequences) await tx.query(`SELECT setval($1::regclass, $2, $3)`, [q.name, q.value, q.called]);
  });
  return true;
}
