// The sandbox supplier (issue 5 §2): a real HTTP server speaking the gateway protocol of DESIGN §11, with
// fault knobs settable at start and at run time. Routes:
//   POST <any path but /_sandbox/…>  the gateway          GET /bills/YYYY-MM-DD.csv  a day's bill
//   GET  /_sandbox/stats             counts and totals     GET|POST /_sandbox/knobs   read / change knobs
// Everything is timers and maps: no per-order logging, no busy work. Bad input never throws out of a handler.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { formatBill } from '../fulu/bill.ts';
import { parseJson } from '../fulu/fields.ts';
import { isDay } from '../fulu/protocol.ts';
import { CallbackSender } from './callbacks.ts';
import { SandboxEngine, type SandboxCounts, type SandboxOrder } from './engine.ts';
import { SandboxGateway } from './gateway.ts';
import { applyKnobs, DEFAULT_KNOBS, type SandboxKnobs } from './knobs.ts';

export interface SandboxOptions {
  appKey: string;
  appSecret: string;
  /** 0 (default): any free port */
  port?: number;
  /** default 127.0.0.1: the admin routes are unauthenticated, keep them off public interfaces */
  host?: string;
  knobs?: Partial<SandboxKnobs>;
}

export interface SandboxSupplier {
  /** the gateway endpoint, e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  port: number;
  /** live knobs: assign to change behaviour at once */
  knobs: SandboxKnobs;
  /** live counts (maps) */
  counts: SandboxCounts;
  stats(): ReturnType<SandboxEngine['stats']>;
  /** a copy of the order with this customer_order_no, if any */
  order(customerOrderNo: string): SandboxOrder | undefined;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startSandboxSupplier(opts: SandboxOptions): Promise<SandboxSupplier> {
  if (!opts.appKey || !opts.appSecret) throw new Error('the sandbox supplier needs an app key and an app secret');
  const knobs: SandboxKnobs = { ...DEFAULT_KNOBS };
  const problems = applyKnobs(knobs, opts.knobs ?? {});
  if (problems.length) throw new Error(`invalid sandbox knobs: ${problems.join('; ')}`);
  const callbacks = new CallbackSender(knobs, opts.appSecret);
  const engine = new SandboxEngine(knobs, callbacks);
  const gateway = new SandboxGateway(opts.appKey, opts.appSecret, knobs, engine);
  const sockets = new Set<Socket>();
  const holds = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/_sandbox/')) return admin(req, res, path);
    if (req.method === 'GET' && path.startsWith('/bills/')) {
      const day = path.slice('/bills/'.length).replace(/\.csv$/, '');
      if (!path.endsWith('.csv') || !isDay(day)) return send(res, 404, 'text/plain', 'no such bill\n');
      return send(res, 200, 'text/csv; charset=utf-8', formatBill(engine.billLines(day)));
    }
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST the gateway\n');
    const raw = await readBody(req);
    const outcome = raw === null ? gateway.handle('') : gateway.handle(raw);
    await delay(knobs.latencyMs + (knobs.latencyJitterMs > 0 ? Math.floor(Math.random() * (knobs.latencyJitterMs + 1)) : 0));
    if (outcome.kind === 'lose') {
      // the order exists; its answer never arrives: cut now, or hold until the client has given up
      if (outcome.mode === 'drop') return void req.socket.destroy();
      const t = setTimeout(() => {
        holds.delete(t);
        req.socket.destroy();
      }, knobs.submitTimeoutHoldMs);
      holds.add(t);
      return;
    }
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(outcome.body));
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string) {
    if (path === '/_sandbox/stats' && req.method === 'GET') return sendJson(res, 200, engine.stats());
    if (path === '/_sandbox/knobs' && req.method === 'GET') return sendJson(res, 200, knobs);
    if (path === '/_sandbox/knobs' && req.method === 'POST') {
      const raw = await readBody(req);
      const patch = raw === null ? undefined : parseJson(raw);
      const errors = applyKnobs(knobs, patch);
      return errors.length ? sendJson(res, 400, { error: 'invalid_knobs', errors }) : sendJson(res, 200, knobs);
    }
    return sendJson(res, 404, { error: 'not_found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined); // after start, a socket-level error must never take the process down
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;

  return {
    url,
    port: address.port,
    knobs,
    counts: engine.counts,
    stats: () => engine.stats(),
    order: (con) => {
      const o = engine.orders.get(con);
      return o ? { ...o, cards: o.cards?.map((c) => ({ ...c })) } : undefined;
    },
    close: async () => {
      engine.close();
      callbacks.close();
      for (const t of holds) clearTimeout(t);
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** the body as text, or null when it is larger than the limit (the rest is not read) */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        done = true;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
      done = true;
    });
    req.on('error', () => {
      if (!done) resolve(null);
      done = true;
    });
  });
}

function delay(ms: number) {
  return ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve();
}

function send(res: ServerResponse, status: number, type: string, body: string) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
