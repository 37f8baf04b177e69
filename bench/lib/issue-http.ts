import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { signedHeaders } from '../../server/src/platform/auth/signing.ts';
import { ClosedLoop, openLoop } from './stats.ts';
import type { BenchClient } from './setup.ts';

// The load generator for signed `POST /v1/grants`: `concurrency` workers on keep-alive connections, each
// request with a fresh nonce and Idempotency-Key, as a real client would send them.

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

export interface IssuanceShape {
  /** the request body of worker `w`'s request number `seq` (default: a card-code grant to an external id) */
  body?: (w: number, seq: number) => Record<string, unknown>;
  /** the status of success (default 201; a direct recharge is accepted with 202) */
  expect?: number;
}

export function httpIssuanceLoad(baseUrl: string, client: BenchClient, sku: string, concurrency: number, shape: IssuanceShape = {}) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  let seq = 0;
  const post = (w: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(shape.body ? shape.body(w, seq++) : { product: sku, recipient: { external_id: `bench-user-${w}-${seq++}` } });
      const headers = {
        ...signedHeaders({ keyId: client.keyId, secret: client.secret, method: 'POST', path: '/v1/grants', body }),
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'idempotency-key': randomUUID(),
      };
      const req = http.request({ host: url.hostname, port: url.port, path: '/v1/grants', method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === (shape.expect ?? 201)) return resolve();
          let code = '';
          try {
            code = JSON.parse(Buffer.concat(chunks).toString()).code ?? '';
          } catch {
            /* not a problem document */
          }
          reject(new HttpError(res.statusCode ?? 0, code));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  const describe = (e: unknown) => (e instanceof HttpError ? e.message : ((e as { code?: string }).code ?? String(e)));
  const loop = new ClosedLoop(concurrency, post, describe);
  return {
    loop,
    /** one request (worker 0's body sequence) */
    post: () => post(0),
    describe,
    /** `rate` requests/s for `seconds`, at most `concurrency` in flight */
    atRate: (rate: number, seconds: number) => openLoop(rate, seconds, concurrency, () => post(0), describe),
    close: async () => agent.destroy(),
  };
}
