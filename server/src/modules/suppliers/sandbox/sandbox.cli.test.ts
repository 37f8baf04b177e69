// `quanyi sandbox supplier …` as a real process: prints its URL, serves the protocol with the knobs given as
// flags, refuses bad flags, and stops cleanly on SIGTERM.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { fuluAdapter } from '../fulu/fulu.adapter.ts';
import { commandProcess, listeningUrl } from '../../../testutil/command-process.ts';

const run = commandProcess(fileURLToPath(new URL('./sandbox.cli.ts', import.meta.url)), 'registerSandboxCommand');

it('runs with knobs from flags until SIGTERM', async () => {
  const p = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'cli-key', '--error-code', '3003', '--error-next', '1'], { SANDBOX_APP_SECRET: 'cli-secret' });
  const url = await listeningUrl(p);
  expect(url, p.err()).toBeDefined();
  expect(p.out()).not.toContain('cli-secret');
  const creds = { endpoint: url!, appKey: 'cli-key', appSecret: 'cli-secret' };
  const req = { productId: '1', customerOrderNo: `cli-${Date.now()}-1`, account: '13800138000', buyNum: 1 };
  expect(await fuluAdapter.submitRecharge(creds, req)).toMatchObject({ kind: 'rejected', code: 3003 });
  expect(await fuluAdapter.submitRecharge(creds, req)).toMatchObject({ kind: 'accepted' });
  p.child.kill('SIGTERM');
  expect(await p.exited).toBe(0);
});

it('refuses invalid knobs and a missing secret with exit code 2', async () => {
  const bad = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'k', '--app-secret', 's', '--fail-rate', '2']);
  expect(await bad.exited).toBe(2);
  expect(bad.err()).toContain('--fail-rate: must be a number 0…1');
  const noSecret = run(['sandbox', 'supplier', '--port', '0', '--app-key', 'k'], { SANDBOX_APP_SECRET: '' });
  expect(await noSecret.exited).toBe(2);
  expect(noSecret.err()).toContain('SANDBOX_APP_SECRET');
});
