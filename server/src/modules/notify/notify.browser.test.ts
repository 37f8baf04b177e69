import { describe, expect, it } from 'vitest';
import { consoleEnvironment, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';
import { enqueueNotification } from './index.ts';

// The notifications page in headless Chromium (zh-CN): an operator sees the messages log (masked recipient,
// status, the reason of a failure), overrides a built-in template with a live preview, and finds it stored.
const OPERATOR = 'notify-operator@example.com';
const env = consoleEnvironment([{ email: OPERATOR, role: 'operator' }]);

describe.runIf(runBrowser)('console: notifications (headless Chromium)', () => {
  it('messages log, template override with preview', async () => {
    // SMS is not configured in this environment: the SMS fails with the reason; the in-app message is sent
    await env.h.ctx.db.transaction().execute(async (tx) => {
      await enqueueNotification(env.h.ctx, tx, { event: 'grant.issued', channel: 'sms', phone: '13912345678', vars: { product_name: '优酷VIP' } });
      await enqueueNotification(env.h.ctx, tx, { event: 'grant.issued', channel: 'inapp', phone: '13912345678', vars: { product_name: '优酷VIP' } });
    });
    const page = await (await env.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })).newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/login`);
    await signIn(page, OPERATOR);
    await page.goto(`${env.h.url}/admin/notify`);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await expect.poll(async () => (await page.locator('.ant-table-tbody').innerText()).includes('sms is not configured'), { timeout: 15_000 }).toBe(true);
    const text = await page.locator('.ant-table-tbody').innerText();
    expect(text).toContain('139****5678');
    expect(text).toContain('失败');
    expect(text).toContain('已发送');
    expect(text).not.toContain('13912345678');
    await shot(page, 'notify-messages');

    await page.getByRole('tab', { name: '模板' }).click();
    await page.getByText('覆盖').first().click();
    await page.fill('#body', '{{product_name}} 已到账 {{redeem_url}}');
    await page.getByRole('button', { name: '预 览' }).or(page.getByRole('button', { name: '预览' })).click();
    await expect.poll(() => page.getByTestId('notify-preview').innerText()).toContain('爱奇艺黄金会员月卡 已到账 http');
    await page.locator('.ant-modal-footer .ant-btn-primary').click();
    await page.getByText('已保存').waitFor();
    await expect.poll(async () => (await rows.allInnerTexts()).some((r) => r.includes('已到账'))).toBe(true);
    const stored = await env.h.ctx.db.selectFrom('notify_templates').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0].body).toBe('{{product_name}} 已到账 {{redeem_url}}');
    expect(problems).toEqual([]);
  });
});
