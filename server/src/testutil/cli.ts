import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { main } from '../cli/main.ts';
import { createTestDatabase, onRealPostgres, seedEmbeddedDataDir, type TestDatabase } from './database.ts';
import { TEST_MASTER_KEY } from './harness.ts';

// The `quanyi` command in tests. `runCli` runs it in this process through the real commander program
// (`main` from cli/main.ts, as bin/quanyi.mjs does): the same parsing, validation, output and exit codes,
// without paying a new Node process, the TypeScript loader and a PGlite start-up per command (~10 s of
// CPU each). The tests where the process boundary is the point spawn the real binary (BIN) themselves.
export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quanyi.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, when it is JSON */
  json: any;
}

function parseJson(stdout: string) {
  try {
    return JSON.parse(stdout);
  } catch {
    return undefined;
  }
}

let running = false;

/**
 * Runs `quanyi …args` in-process with `env` laid over process.env for the duration of the command, and
 * returns what it wrote to stdout/stderr and the exit code it set. One command at a time: the environment,
 * the output streams and process.exitCode are process-wide.
 */
export async function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  if (running) throw new Error('runCli: one command at a time');
  running = true;
  const savedEnv = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const savedExitCode = process.exitCode;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const capture = (sink: string[]) =>
    function (chunk: unknown, encoding?: unknown, cb?: unknown) {
      sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : cb;
      if (typeof done === 'function') process.nextTick(done as () => void);
      return true;
    } as typeof process.stdout.write;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.exitCode = undefined;
  process.stdout.write = capture(out);
  process.stderr.write = capture(err);
  let code: number | null;
  try {
    await main(['node', 'quanyi', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    // never leave the command's exit code on the test worker: it would become the worker's own
    process.exitCode = savedExitCode;
    for (const [k, v] of savedEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    running = false;
  }
  const stdout = out.join('');
  return { code, stdout, stderr: err.join(''), json: parseJson(stdout) };
}

/**
 * For a test file of CLI commands: a fresh embedded data directory holding the migrated template (made before
 * the file's tests, removed after them) and `quanyi(args, env)` running against it.
 */
export function embeddedCli(prefix: string) {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    await seedEmbeddedDataDir(dataDir);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  return (args: string[], env: Record<string, string> = {}) => runCli(args, { QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env });
}

/**
 * For a test file of CLI commands run as a script would run them: a data directory holding the migrated
 * template (embedded), or a fresh PostgreSQL database when TEST_DATABASE_URL is set, made before the file's own
 * beforeAll hooks and dropped after its tests; `quanyi(...args)` runs a command against it. `dir` is the
 * file's scratch directory (the data directory is `dir/data`).
 */
export function scriptCli(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let pgDb: TestDatabase | undefined;
  beforeAll(async () => {
    if (onRealPostgres) {
      pgDb = await createTestDatabase();
      await pgDb.database.close(); // the commands open it; keep only the right to drop it
    } else {
      fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
      await seedEmbeddedDataDir(path.join(dir, 'data'));
    }
  }, 60_000);
  afterAll(async () => {
    if (pgDb) {
      const { default: pg } = await import('pg');
      const c = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${new URL(pgDb.url!).pathname.slice(1)} WITH (FORCE)`);
      await c.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const quanyi = (...args: string[]) =>
    runCli(args, { QUANYI_DATA_DIR: path.join(dir, 'data'), QUANYI_MASTER_KEY: TEST_MASTER_KEY, LOG_LEVEL: 'silent', DATABASE_URL: pgDb?.url, TEST_DATABASE_URL: undefined });
  return { dir, quanyi };
}
