import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../platform/db/db.ts';
import { BIN, runCli } from '../testutil/cli.ts';
import { seedEmbeddedDataDir } from '../testutil/database.ts';

// The `quanyi` command end to end, as a user runs it, on an embedded data directory. Most commands run
// in-process through the real commander program (testutil/cli.ts); the real binary runs where the process
// boundary is the point: a second process finding the data directory locked by a running server (which
// prints that it runs), and a server that must exit, with code 1 and the reason, when its port is taken.
let dataDir: string;
// a child process pays Node, the TypeScript loader and a PGlite start (~5 s of CPU): generous for a busy CI machine
const CHILD_TIMEOUT = 150_000;
const cliEnv = () => ({ QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', QUANYI_MASTER_KEY: '', LOG_LEVEL: 'silent' });
const quanyi = (args: string[]) => runCli(args, cliEnv());

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-cli-'));
  // the migrated database from the test template: initdb in WebAssembly would cost every run ~15 s of CPU,
  // and a fresh data directory is covered by platform/db/db.test.ts. No master key, no secrets yet.
  await seedEmbeddedDataDir(dataDir);
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('quanyi CLI', () => {
  it('generates a master key once, mode 0600, with a warning', async () => {
    const r = await quanyi(['migrate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('database is up to date\n');
    expect(r.stderr).toMatch(/generated one into .*master\.key/);
    const stat = fs.statSync(path.join(dataDir, 'master.key'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await quanyi(['migrate'])).stderr).not.toMatch(/generated/);
  });

  it('creates and lists products with JSON output and validates input', async () => {
    const ok = await quanyi(['products', 'create', '--sku', 'IQ-1M', '--name', '爱奇艺VIP月卡', '--platform', 'iqiyi', '--period', 'month:1', '--price', '1500', '--safety-stock', '5', '--json']);
    expect(ok.code).toBe(0);
    expect(ok.json).toMatchObject({ sku: 'IQ-1M', period: { unit: 'month', count: 1 }, price: 1500, kind: 'card_code', renewal: false });
    const dup = await quanyi(['products', 'create', '--sku', 'IQ-1M', '--name', 'x', '--platform', 'iqiyi', '--json']);
    expect(dup.code).toBe(4);
    expect(dup.json.error).toBe('sku_taken');
    const bad = await quanyi(['products', 'create', '--sku', 'BAD', '--name', 'x', '--platform', 'iqiyi', '--period', 'fortnight:1', '--price', '-3', '--json']);
    expect(bad.code).toBe(3);
    expect(bad.json.error).toBe('validation_failed');
    expect(bad.json.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['period', 'price']));
    const list = await quanyi(['products', 'list', '--json']);
    expect(list.json.map((p: { sku: string }) => p.sku)).toEqual(['IQ-1M']);
    const usage = await quanyi(['products', 'create', '--json']);
    expect(usage.code).toBe(2);
  });

  it('creates a client key and an admin user', async () => {
    const c = await quanyi(['clients', 'create', '--name', 'Mall', '--scopes', 'grants:write,grants:read', '--json']);
    expect(c.code).toBe(0);
    expect(c.json.key_id).toMatch(/^qk_/);
    expect(c.json.secret).toMatch(/^qs_/);
    const badScope = await quanyi(['clients', 'create', '--name', 'Mall', '--scopes', 'grants:everything', '--json']);
    expect(badScope.code).toBe(3);
    const a = await quanyi(['admin', 'create', '--email', 'ops@example.com', '--password', 'correct horse battery', '--role', 'operator', '--json']);
    expect(a.code).toBe(0);
    expect(a.json).toMatchObject({ email: 'ops@example.com', role: 'operator' });
    const weak = await quanyi(['admin', 'create', '--email', 'x@example.com', '--password', 'short', '--json']);
    expect(weak.code).toBe(3);
  });

  it('rotates the master key and everything stays readable', async () => {
    const before = fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8');
    const r = await quanyi(['keys', 'rotate', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.rewrapped.server_secrets).toBe(3);
    expect(r.json.rewrapped.clients).toBe(1);
    const keys = fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(keys.length).toBe(2);
    expect(before).toContain(keys[1]);
    // a second rotation still works: every wrapped key was readable under the new keyring
    expect((await quanyi(['keys', 'rotate', '--json'])).code).toBe(0);
    expect((await quanyi(['clients', 'list', '--json'])).json.length).toBe(1);
  });

  it('audit verify exits 0 on an intact chain', async () => {
    const r = await quanyi(['audit', 'verify', '--json']);
    expect(r.code).toBe(0);
    expect(r.json.ok).toBe(true);
    expect(r.json.events).toBeGreaterThanOrEqual(5);
  });

  it('audit verify exits 7 and names the first modified event', async () => {
    const db = await openPglite(dataDir, 'test tamper');
    try {
      await db.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
        UPDATE audit_events SET actor = 'somebody-else' WHERE seq = 2;
        ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;`);
    } finally {
      await db.close();
    }
    const r = await quanyi(['audit', 'verify']);
    expect(r.code).toBe(7);
    expect(r.stderr).toContain('BROKEN at event 2');
    expect((await quanyi(['audit', 'verify', '--json'])).json).toMatchObject({ ok: false, broken_seq: 2 });
  });

  it('a second process on the same data directory gets a clear error naming the holder', async () => {
    const server = spawn(process.execPath, [BIN, 'serve', '--no-workers'], {
      env: { ...process.env, QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('server did not start')), CHILD_TIMEOUT);
        server.stdout.on('data', (d) => String(d).includes('Quanyi is running') && (clearTimeout(t), resolve()));
        server.on('exit', (code) => reject(new Error('server exited ' + code)));
      });
      // in this process: the holder is the server child, another process by construction
      const r = await quanyi(['products', 'list', '--json']);
      expect(r.code).toBe(6);
      expect(r.json.error).toBe('data_dir_locked');
      expect(r.json.holder_pid).toBe(server.pid);
      expect(r.json.detail).toContain('quanyi serve');
    } finally {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('exit', r));
    }
    expect((await quanyi(['products', 'list', '--json'])).code).toBe(0);
  }, 2 * CHILD_TIMEOUT);

  it('serve on a taken port fails with a clear error, exits, and seeds no demo data it could not show', async () => {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-port-'));
    await seedEmbeddedDataDir(dir); // an empty (migrated) database: --demo would seed it
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(process.execPath, [BIN, 'serve', '--demo'], {
          env: { ...process.env, QUANYI_DATA_DIR: dir, DATABASE_URL: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
          timeout: CHILD_TIMEOUT,
        }, (err, _out, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }));
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('EADDRINUSE');
      const list = await runCli(['products', 'list', '--json'], { ...cliEnv(), QUANYI_DATA_DIR: dir });
      expect(list.json).toEqual([]);
    } finally {
      blocker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 2 * CHILD_TIMEOUT);
});
