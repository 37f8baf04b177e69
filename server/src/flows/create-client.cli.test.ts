import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testutil/cli.ts';
import { seedEmbeddedDataDir } from '../testutil/database.ts';
import { parseWebhookEvents } from './create-client.ts';

// `quanyi clients create --webhook-url` as a user runs it, on an embedded data directory holding the migrated
// template: in-process through the real commander program (testutil/cli.ts: same output and exit codes, no
// Node start-up per command; the real binary's process boundary is cli/cli.e2e.test.ts's).
let dataDir: string;

const quanyi = (args: string[], env: Record<string, string> = {}) => runCli(args, { QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-wh-cli-'));
  await seedEmbeddedDataDir(dataDir);
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
  });

  it('accepts only known event types for --webhook-events', () => {
    expect(parseWebhookEvents('grant.issued, grant.redeemed,grant.issued')).toEqual(['grant.issued', 'grant.redeemed']);
    expect(parseWebhookEvents(undefined)).toEqual([]);
    expect(() => parseWebhookEvents('grant.exploded')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});
