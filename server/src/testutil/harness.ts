import { randomBytes, randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { buildApp, type App } from '../app.ts';
import { loadConfig, type Config } from '../platform/config.ts';
import type { AppContext } from '../platform/context.ts';
import { createAppContext } from '../compose.ts';
import { Keyring } from '../platform/crypto/keyring.ts';
import { signedHeaders } from '../platform/auth/signing.ts';
import { createClient, type ClientScope } from '../modules/clients/index.ts';
import { createProduct } from '../modules/catalog/index.ts';
import type { Product, ProductCreate } from '../modules/catalog/index.ts';
import { createAdminUser, createSession } from '../modules/identity/index.ts';
import { CONSOLE_HEADER, SESSION_COOKIE } from '../platform/auth/admin-auth.ts';
import type { Role } from '../platform/db/schema.ts';
import type { CodeSecret } from '../modules/inventory/index.ts';
import { stockGeneratedCodes } from '../modules/inventory/index.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

// One harness per test file: a fresh database, the real app listening on a real socket, and helpers to
// act as a signed client, an admin, or a member of the public.
export interface Harness {
  app: App;
  ctx: AppContext;
  url: string;
  testDb: TestDatabase;
  client(scopes?: ClientScope[]): Promise<SignedClient>;
  admin(role?: Role): Promise<AdminAgent>;
  product(overrides?: Partial<ProductCreate>): Promise<Product>;
  /** Stocks `n` generated codes directly (the importer has its own tests). Returns the plaintexts. */
  stock(productId: string, n: number, opts?: { expiresAt?: Date }): Promise<CodeSecret[]>;
  close(): Promise<void>;
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface SignedClient {
  id: string;
  keyId: string;
  secret: string;
  request<T = any>(method: string, path: string, body?: unknown, opts?: { idempotencyKey?: string; headers?: Record<string, string>; raw?: string }): Promise<HttpResult<T>>;
}

export interface AdminAgent {
  id: string;
  cookie: string;
  /** what the console sends on every request: the session cookie and `X-Quanyi-Console: 1` */
  headers: Record<string, string>;
  request<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>>;
}

export const TEST_MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

export async function http<T = any>(url: string, init: RequestInit): Promise<HttpResult<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: any = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

/**
 * A harness whose server logs at the most talkative level into memory, with what it wrote so far: for the
 * tests that no secret (code, token, cookie, phone …) reaches the logs.
 */
export async function createTraceLoggedHarness(env: Record<string, string> = {}): Promise<{ h: Harness; logs(): string }> {
  let text = '';
  const stream = new PassThrough();
  stream.on('data', (d) => (text += String(d)));
  const h = await createHarness({ LOG_LEVEL: 'trace', ...env }, { logStream: stream });
  return { h, logs: () => text };
}

export async function createHarness(env: Record<string, string> = {}, opts: { logStream?: NodeJS.WritableStream } = {}): Promise<Harness> {
  const testDb = await createTestDatabase();
  const config: Config = loadConfig({
    QUANYI_MASTER_KEY: TEST_MASTER_KEY,
    LOG_LEVEL: 'silent',
    PORT: '0',
    REDIS_URL: process.env.REDIS_URL,
    QUANYI_REDIS_PREFIX: 'quanyi-test-' + randomBytes(4).toString('hex'),
    ...env,
  });
  const keyring = new Keyring([Buffer.from(TEST_MASTER_KEY, 'base64')]);
  const ctx = await createAppContext(config, testDb.database, keyring);
  const app = await buildApp(ctx, opts.logStream ? { logStream: opts.logStream } : { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = typeof addr === 'object' && addr ? `http://127.0.0.1:${addr.port}` : '';
  ctx.config.publicUrl = url;

  const h: Harness = {
    app,
    ctx,
    url,
    testDb,
    async client(scopes = ['grants:write', 'grants:read']) {
      const c = await createClient(ctx.db, keyring, { name: 'test ' + randomUUID().slice(0, 8), scopes }, 'test');
      return {
        id: c.id,
        keyId: c.key_id,
        secret: c.secret,
        request(method, path, body, opts = {}) {
          const raw = opts.raw ?? (body === undefined ? '' : JSON.stringify(body));
          const headers: Record<string, string> = {
            ...signedHeaders({ keyId: c.key_id, secret: c.secret, method, path, body: raw }),
            ...(raw ? { 'content-type': 'application/json' } : {}),
            ...(opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : {}),
            ...opts.headers,
          };
          return http(url + path, { method, headers, body: raw || undefined });
        },
      };
    },
    async admin(role = 'admin') {
      const user = await createAdminUser(ctx.db, { email: `${role}-${randomUUID().slice(0, 8)}@example.com`, password: 'correct horse battery', role }, 'test');
      const s = await createSession(ctx.db, user.id, 1, {});
      const cookie = `${SESSION_COOKIE}=${s.token}`;
      const headers = { cookie, [CONSOLE_HEADER]: '1' };
      return {
        id: user.id,
        cookie,
        headers,
        request(method, path, body) {
          const raw = body === undefined ? undefined : JSON.stringify(body);
          return http(url + path, { method, headers: { ...headers, ...(raw ? { 'content-type': 'application/json' } : {}) }, body: raw });
        },
      };
    },
    product(overrides = {}) {
      return createProduct(ctx.db, {
        sku: 'SKU-' + randomBytes(4).toString('hex'),
        name: 'iQiyi VIP 1 month',
        platform: 'iqiyi',
        kind: 'card_code',
        period: { unit: 'month', count: 1 },
        price: 1500,
        ...overrides,
      }, 'test');
    },
    async stock(productId, n, opts = {}) {
      return (await stockGeneratedCodes(ctx, productId, n, { expiresAt: opts.expiresAt, importedBy: 'test' })).secrets;
    },
    async close() {
      await app.close();
      await ctx.close();
      await testDb.drop();
    },
  };
  return h;
}

/** A fresh Idempotency-Key. */
export const idem = () => randomUUID();
