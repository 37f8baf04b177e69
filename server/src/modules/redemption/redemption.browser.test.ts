import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { consoleEnvironment, newConsoleContext, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';
import { checkCode } from './redemption.code.ts';
import { createSet } from './redemption.service.ts';

// The console's redemption page in headless Chromium against the real server: an operator opens a set,
// generates codes (a job; the page follows its progress), downloads the plaintext list once (the button is
// gone afterwards), sees the masked codes, and pauses the set. No console error.
const OPERATOR = 'redemption-operator@example.com';
const env = consoleEnvironment([{ email: OPERATOR, role: 'operator' }]);

describe.skipIf(!runBrowser)('console: redemption codes', () => {
  it('generate with progress, the one-time download, masked codes, pause', async () => {
    const client = await env.h.client();
    const product = await env.h.product();
    const set = await createSet(env.h.ctx, { name: '双十一兑换码', client_id: client.id, product: product.id, max_redemptions: 2, ends_at: new Date(Date.now() + 86_400_000).toISOString() }, 'usr_test');
    const context = await newConsoleContext(env.browser, 'zh-CN');
    const page = await context.newPage();
    const errors = watch(page);
    try {
      await page.goto(`${env.h.url}/admin/login?next=/redemption`);
      await signIn(page, OPERATOR);
      await page.getByText('双十一兑换码').first().click();
      await page.getByRole('button', { name: '生成兑换码' }).click();
      const modal = page.locator('.ant-modal-content').last();
      await modal.locator('#count').fill('20');
      await modal.locator('#prefix').fill('TT');
      await modal.locator('.ant-modal-footer .ant-btn-primary').click();
      const gen = await waitForGeneration(set.id);
      const button = page.locator(`[data-testid=download-${gen}]`);
      await button.waitFor({ timeout: 30_000 });
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      const lines = fs.readFileSync((await download.path())!, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(21);
      expect(lines.slice(1).every((c) => c.startsWith('TT') && checkCode(c).ok)).toBe(true);
      await page.getByText(/已于 .* 下载/).waitFor();
      expect(await button.count()).toBe(0);
      // the codes, masked, with their counters
      await page.getByText(/^TT\*\*\*\*[2-9A-Z]{3}$/).first().waitFor();
      await page.getByText('0 / 2').first().waitFor();
      await shot(page, 'zh-CN-redemption');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: /close|关闭/i }).first().click().catch(() => undefined);
      // the list: pause the set
      await page.getByText('暂停', { exact: true }).first().click();
      await page.getByText('已暂停').first().waitFor();
      expect((await env.h.ctx.db.selectFrom('redemption_sets').select('status').where('id', '=', set.id).executeTakeFirstOrThrow()).status).toBe('paused');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});

async function waitForGeneration(setId: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const g = await env.h.ctx.db.selectFrom('redemption_generations').select('id').where('set_id', '=', setId).executeTakeFirst();
    if (g) return g.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no generation was started');
}
