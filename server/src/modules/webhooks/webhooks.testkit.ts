import { webcrypto } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../../platform/context.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { deliveryJob, DELIVERY_POLICY } from './delivery.job.ts';
import { DELIVER_JOB } from './events.service.ts';
import { startFanOut } from './fanout.worker.ts';

// Test helpers: a real receiver over a real socket, and a verifier of DESIGN §6 written independently of
// signature.ts (WebCrypto, its own parsing), as a client developer would write it from the document.
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; created_at: string; data: any };
  /** what the receiver answered: 204, or 500 in 'error' mode (it saw the event but failed) */
  answered: number;
}

export type Mode = 'ok' | 'error' | 'redirect' | 'hang';

export async function startReceiver(port = 0) {
  const received: Received[] = [];
  const state = { mode: 'ok' as Mode, hits: 0, redirectHits: 0 };
  const open = new Set<import('node:net').Socket>();
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      state.hits++;
      if (req.url === '/elsewhere') {
        state.redirectHits++;
        return res.writeHead(200).end('ok');
      }
      if (state.mode === 'hang') return; // never answers
      if (state.mode === 'redirect') return res.writeHead(307, { location: '/elsewhere' }).end();
      const body = Buffer.concat(chunks).toString('utf8');
      const answered = state.mode === 'error' ? 500 : 204;
      received.push({ headers: req.headers, body, json: JSON.parse(body), answered });
      res.writeHead(answered).end(answered === 500 ? 'boom' : undefined);
    });
  };
  let server = http.createServer(handler);
  server.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    received,
    state,
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}/hooks`,
    /** stops listening: connections are refused until up() */
    async down() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    async up() {
      server = http.createServer(handler);
      server.on('connection', (s) => (open.add(s), s.on('close', () => open.delete(s))));
      await new Promise<void>((r) => server.listen(actualPort, '127.0.0.1', r));
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** DESIGN §6 verification, independent of the server's code: parse t and every v1, HMAC with WebCrypto, ±300 s. */
export async function verifyQuanyiSignature(header: string | undefined, rawBody: string, secret: string, nowSeconds = Date.now() / 1000): Promise<boolean> {
  if (!header) return false;
  let t: string | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const i = part.indexOf('=');
    const k = part.slice(0, i).trim();
    const v = part.slice(i + 1).trim();
    if (k === 't') t = v;
    else if (k === 'v1') v1.push(v);
  }
  if (!t || !/^\d+$/.test(t) || Math.abs(nowSeconds - Number(t)) > 300) return false;
  const enc = new TextEncoder();
  const key = await webcrypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await webcrypto.subtle.sign('HMAC', key, enc.encode(t + '.' + rawBody)));
  const expected = Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
  return v1.some((sig) => {
    if (sig.length !== expected.length) return false;
    let diff = 0;
    for (let i = 0; i < sig.length; i++) diff |= sig.charCodeAt(i) ^ expected.charCodeAt(i);
    return diff === 0;
  });
}

/**
 * The fan-out worker and a job runner that runs webhook deliveries with the real policy except for a short
 * backoff (the real schedule is asserted separately). makeRetriesDue moves queued retries to now.
 */
export function startDelivering(ctx: AppContext, opts: { backoffMs?: number } = {}) {
  const fan = startFanOut(ctx, { intervalMs: 30 });
  const b = opts.backoffMs ?? 20;
  // the real handler and policy, with the backoff shortened to `backoffMs`
  const runner = startJobRunner(ctx, { definitions: { [DELIVER_JOB]: { ...deliveryJob, policy: { ...DELIVERY_POLICY, backoffSeconds: [b / 1000] } } }, pollMs: 30 });
  return {
    async stop() {
      await fan.stop();
      await runner.stop();
    },
  };
}

export async function makeRetriesDue(ctx: AppContext) {
  await ctx.db.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000) }).where('kind', '=', DELIVER_JOB).where('status', '=', 'queued').execute();
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, stepMs = 50): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
