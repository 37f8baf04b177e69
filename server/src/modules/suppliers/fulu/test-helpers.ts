// Shared by the fulu adapter and sandbox tests (no database): a sandbox with credentials, a callback
// receiver over a real socket, and a tiny server for answers the sandbox would never give.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SupplierCredentials } from '../adapters/adapter.ts';
import { startSandboxSupplier, type SandboxKnobs, type SandboxSupplier } from '../sandbox/index.ts';

export const APP_KEY = 'test-app-key';
export const APP_SECRET = '测试-secret/0a091b3aa4324435';

export async function sandboxWithCreds(knobs: Partial<SandboxKnobs> = {}): Promise<{ sandbox: SandboxSupplier; creds: SupplierCredentials }> {
  const sandbox = await startSandboxSupplier({ appKey: APP_KEY, appSecret: APP_SECRET, knobs: { processingMs: 20, ...knobs } });
  return { sandbox, creds: { endpoint: sandbox.url, appKey: APP_KEY, appSecret: APP_SECRET } };
}

export interface TestServer {
  url: string;
  received: string[];
  close(): Promise<void>;
}

/** a real HTTP server answering with `reply(request, body)` */
export async function startTestServer(reply: (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push(body);
      void Promise.resolve(reply(req, body, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** a callback receiver that answers `success` and keeps every raw body */
export const startCallbackReceiver = () =>
  startTestServer((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('success');
  });

export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;
export const orderNo = (prefix = 'rco') => `${prefix}_${process.pid}_${Date.now()}_${++seq}-1`;
