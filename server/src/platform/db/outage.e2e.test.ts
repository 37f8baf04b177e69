import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, onRealPostgres, type TestDatabase } from '../../testutil/database.ts';
import { startServerProcess, type ServerProcess } from '../../testutil/server-process.ts';
import { startTcpProxy, type TcpProxy } from '../../testutil/tcp-proxy.ts';
import { TEST_MASTER_KEY } from '../../testutil/harness.ts';
import { signedHeaders } from '../auth/signing.ts';
import { loadConfig } from '../config.ts';
import { createAppContext } from '../../compose.ts';
import { Keyring } from '../crypto/keyring.ts';
import { createClient } from '../../modules/clients/index.ts';
import { stockGeneratedCodes } from '../../modules/inventory/index.ts';
import { createProduct } from '../../modules/catalog/index.ts';

// Losing the database must not kill the server (DESIGN §3.7, issue 5 §4): the process stays up, requests get
// 503 problem+json with Retry-After within a bounded time, GET /readyz reports the database, and service
// resumes by itself. Real PostgreSQL only: it terminates backends and breaks the network between the server
// (a real `quanyi serve` child process) and PostgreSQL through a TCP proxy. Skipped on the embedded database,
// which has no connection to lose.
const CONNECT_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 2000;
/** the longest a request may take during an outage: pool wait/connect + one statement, with slack for 2 busy cores */
const BOUND_MS = 8000;

let testDb: TestDatabase;
let proxy: TcpProxy;
let server: ServerProcess;
let key: { keyId: string; secret: string };
let sku: string;

beforeAll(async () => {
  if (!onRealPostgres) return;
  testDb = await createTestDatabase();
  const keyring = new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]);
  const ctx = await createAppContext(loadConfig({ QUANYI_MASTER_KEY: TEST_MASTER_KEY }), testDb.database, keyring);
  const c = await createClient(ctx.db, keyring, { name: 'outage', scopes: ['grants:write', 'grants:read'] }, 'test');
  key = { keyId: c.key_id, secret: c.secret };
  const product = await createProduct(ctx.db, { sku: 'OUT-1', name: 'outage', platform: 'iqiyi', kind: 'card_code', period: { unit: 'month', count: 1 }, price: 100 }, 'test');
  sku = product.sku;
  await stockGeneratedCodes(ctx, product.id, 3000);
  await ctx.close();
  const dbUrl = new URL(testDb.url!);
  proxy = await startTcpProxy({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
  const viaProxy = new URL(testDb.url!);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  server = await startServerProcess([], {
    DATABASE_URL: viaProxy.toString(),
    QUANYI_MASTER_KEY: TEST_MASTER_KEY,
    REDIS_URL: '', // nonces in the database: every signed request needs it
    QUANYI_CLIENT_REQUESTS_PER_MINUTE: '0',
    QUANYI_DB_POOL_SIZE: '8',
    QUANYI_DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    QUANYI_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await proxy?.close();
  await testDb?.drop();
}, 60_000);

type Outcome = { status: number | 'network_error' | 'timeout'; ms: number; retryAfter?: string | null; type?: string | null; code?: string };

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Outcome> {
  const raw = body === undefined ? '' : JSON.stringify(body);
  const started = Date.now();
  try {
    const res = await fetch(server.url + path, {
      method,
      headers: {
        ...signedHeaders({ keyId: key.keyId, secret: key.secret, method, path, body: raw }),
        ...(raw ? { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() } : {}),
      },
      body: raw || undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let code: string | undefined;
    try {
      code = JSON.parse(text).code;
    } catch {
      /* not JSON */
    }
    return { status: res.status, ms: Date.now() - started, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type'), code };
  } catch (e) {
    return { status: (e as Error).name === 'TimeoutError' ? 'timeout' : 'network_error', ms: Date.now() - started };
  }
}

const issue = () => call('POST', '/v1/grants', { product: sku, recipient: { external_id: 'u-' + Math.random().toString(36).slice(2) } });
const list = () => call('GET', '/v1/grants?limit=5');

/** `n` clients issuing and listing in a loop until `until` resolves. */
async function load(n: number, until: Promise<unknown>): Promise<Outcome[]> {
  let done = false;
  void until.finally(() => (done = true));
  const outcomes: Outcome[] = [];
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      while (!done) outcomes.push(await (i % 2 ? list() : issue()));
    }),
  );
  return outcomes;
}

async function readyz(): Promise<{ status: number | 'network_error'; retryAfter: string | null; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(server.url + '/readyz', { signal: AbortSignal.timeout(30_000) });
    await res.text();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
  } catch {
    return { status: 'network_error', retryAfter: null, ms: Date.now() - started };
  }
}

async function waitReady(ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if ((await readyz()).status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not become ready again');
}

/** Every outcome is a success or a well-formed 503 (problem+json, service_unavailable, Retry-After) in bounded time. */
function expectOnlySuccessOr503(outcomes: Outcome[]) {
  if (process.env.OUTAGE_DEBUG) {
    const by: Record<string, number[]> = {};
    for (const o of outcomes) (by[String(o.status)] ??= []).push(o.ms);
    console.log(JSON.stringify(Object.entries(by).map(([k, v]) => [k, v.length, Math.max(...v)])));
  }
  const bad = outcomes.filter((o) => !(o.status === 200 || o.status === 201 || o.status === 503));
  expect(bad.slice(0, 5)).toEqual([]);
  for (const o of outcomes.filter((x) => x.status === 503)) {
    expect(o).toMatchObject({ code: 'service_unavailable' });
    expect(o.type).toMatch(/^application\/problem\+json/);
    expect(Number(o.retryAfter)).toBeGreaterThan(0);
  }
  expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(BOUND_MS);
}

describe.skipIf(!onRealPostgres)('losing the database (real PostgreSQL, a quanyi serve child process)', () => {
  it('is ready with the database up', async () => {
    expect((await readyz()).status).toBe(200);
    expect((await issue()).status).toBe(201);
  });

  it('survives pg_terminate_backend of its connections under load (16 clients, 5 times) and serves again', async () => {
    const admin = new pg.Client({ connectionString: testDb.url });
    await admin.connect();
    const dbName = new URL(testDb.url!).pathname.slice(1);
    const killer = (async () => {
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 700));
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
      }
      await new Promise((r) => setTimeout(r, 300));
    })();
    const outcomes = await load(16, killer);
    await admin.end();
    expect(server.alive()).toBe(true);
    expect(outcomes.length).toBeGreaterThan(16);
    expectOnlySuccessOr503(outcomes);
    await waitReady();
    expect((await issue()).status).toBe(201);
    expect(server.alive()).toBe(true);
  }, 120_000);

  it('answers 503 with Retry-After while the database refuses connections, and recovers alone', async () => {
    await proxy.set('refuse');
    try {
      const outcomes = await load(8, new Promise((r) => setTimeout(r, 3000)));
      expect(outcomes.some((o) => o.status === 503)).toBe(true);
      expectOnlySuccessOr503(outcomes);
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
      expect(server.alive()).toBe(true);
    } finally {
      await proxy.set('pass');
    }
    await waitReady();
    expect((await issue()).status).toBe(201);
  }, 120_000);

  it('answers 503 within a bounded time while the database drops packets, and recovers alone', async () => {
    await proxy.set('blackhole');
    try {
      const outcomes = await load(8, new Promise((r) => setTimeout(r, 4000)));
      expect(outcomes.some((o) => o.status === 503)).toBe(true);
      expectOnlySuccessOr503(outcomes);
      const r = await readyz();
      expect(r.status).toBe(503);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(server.alive()).toBe(true);
    } finally {
      await proxy.set('pass');
    }
    await waitReady();
    expect((await issue()).status).toBe(201);
    expect((await list()).status).toBe(200);
  }, 120_000);
});
