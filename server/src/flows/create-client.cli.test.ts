import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWebhookEvents } from './create-client.ts';

// `quanyi clients create --webhook-url` as a user runs it: a child process on an embedded data directory.
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quanyi.mjs');
let dataDir: string;

function quanyi(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; json: any }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env }, encoding: 'utf8', timeout: 240_000 }, (err, stdout, stderr) => {
      let json: any;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0, stdout, stderr, json });
    });
  });
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-wh-cli-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('quanyi clients create --webhook-url', () => {
  it('prints the client and `webhook: {id, url, secret}` once; refuses a private URL, creating nothing', async () => {
    const ok = await quanyi(['clients', 'create', '--name', 'CRM', '--scopes', 'grants:write,webhooks:read', '--webhook-url', 'http://127.0.0.1:9/hooks', '--webhook-events', 'grant.issued,grant.redeemed', '--json'], { QUANYI_ALLOW_PRIVATE_WEBHOOKS: 'true' });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ id: expect.stringMatching(/^cli_/), name: 'CRM', webhook: { id: expect.stringMatching(/^whe_/), url: 'http://127.0.0.1:9/hooks', secret: expect.stringMatching(/^whsec_/) } });
    expect(Object.keys(ok.json.webhook).sort()).toEqual(['id', 'secret', 'url']);

    const refused = await quanyi(['clients', 'create', '--name', 'Evil', '--webhook-url', 'http://169.254.169.254/latest', '--json']);
    expect(refused.code).toBe(3);
    expect(refused.json.error).toBe('webhook_url_private');

    const list = await quanyi(['clients', 'list', '--json']);
    expect(list.json.map((c: { name: string }) => c.name)).toEqual(['CRM']);
    expect(list.stdout).not.toContain('whsec_');
  }, 600_000);

  it('accepts only known event types for --webhook-events', () => {
    expect(parseWebhookEvents('grant.issued, grant.redeemed,grant.issued')).toEqual(['grant.issued', 'grant.redeemed']);
    expect(parseWebhookEvents(undefined)).toEqual([]);
    expect(() => parseWebhookEvents('grant.exploded')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});
