import { describe, expect, it } from 'vitest';
import { consoleEnvironment, newConsoleContext, runBrowser, shot, signIn, watch } from '../../testutil/console-browser.ts';
import { assessClaim, registerReviewHandler, submitForReview } from './index.ts';

// The console's Risk page in headless Chromium against the real server: in zh-CN, an operator
// creates a limit rule through the form (and a refused one keeps the form open with the server's detail),
// blacklists an IPv6 range, sees a denied claim among the decisions, and rejects a held claim with a reason
// (the subject's handler runs once). In en-US, a support user reads the page without the buttons that change
// things.
const OPERATOR = 'risk-operator@example.com';
const SUPPORT = 'risk-support@example.com';
const env = consoleEnvironment([
  { email: OPERATOR, role: 'operator' },
  { email: SUPPORT, role: 'support' },
]);

const TEXT = {
  'zh-CN': { rules: '规则', blacklist: '黑名单', decisions: '拦截记录', saved: '规则已保存', added: '已加入黑名单', rejected: '已拒绝', reject: '拒绝', reviews: '审核队列' },
  'en-US': { rules: 'Rules', blacklist: 'Blacklist', decisions: 'Decisions', saved: 'Rule saved', added: 'Added to the blacklist', rejected: 'Rejected', reject: 'Reject', reviews: 'Review queue' },
} as const;

describe.skipIf(!runBrowser)('console: risk page', () => {
  const calls: string[] = [];
  // the whole flow in zh-CN (the default language); en-US is read by the support user below
  for (const lang of ['zh-CN'] as const) {
    it(`an operator manages rules, blacklists and the review queue (${lang})`, async () => {
      const x = TEXT[lang];
      registerReviewHandler('browser_claim', { onApprove: async (_c, i) => void calls.push(`approve ${i.subjectRef}`), onReject: async (_c, i) => void calls.push(`reject ${i.subjectRef}`) });
      const ref = `claim-${lang}`;
      const held = await submitForReview(env.h.ctx.db, { subjectType: 'browser_claim', subjectRef: ref, payload: {}, reason: 'over the soft threshold', scope: { campaignId: 'cmp_browser' } });
      const context = await newConsoleContext(env.browser, lang);
      const page = await context.newPage();
      const problems = watch(page, [[400, /\/v1\/admin\/risk\/rules$/]]);
      await page.goto(`${env.h.url}/admin/risk`);
      await signIn(page, OPERATOR);
      await page.waitForURL(/\/admin\/risk/);

      // the queue opens first: reject the held claim with a reason
      await page.locator(`#risk-reject-${held.id}`).click();
      const decide = page.locator('.ant-modal-content');
      await decide.locator('#reason').fill('device farm');
      await decide.locator('.ant-modal-footer .ant-btn-primary').click();
      await page.getByText(x.rejected, { exact: true }).first().waitFor();
      expect(calls.filter((c) => c.endsWith(ref))).toEqual([`reject ${ref}`]);

      // a rule through the form: a bad one is refused (the form stays), a good one saved
      await page.getByRole('tab', { name: x.rules }).click();
      await page.click('#risk-rule-new');
      const form = page.locator('.ant-modal-content');
      await form.locator('#name').fill(`phone per day ${lang}`);
      await form.locator('#max').fill('3');
      await form.locator('#review_above').fill('5');
      await form.locator('.ant-modal-footer .ant-btn-primary').click();
      await form.getByText('an integer ≥ 0 and below max').waitFor();
      await form.locator('#review_above').fill('');
      await form.locator('.ant-modal-footer .ant-btn-primary').click();
      await page.getByText(x.saved).waitFor();
      await page.getByText(`phone per day ${lang}`).waitFor();

      // an IPv6 range on the blacklist, then a claim from inside it is denied and shows among the decisions
      await page.getByRole('tab', { name: x.blacklist }).click();
      await page.click('#risk-blacklist-add');
      const bl = page.locator('.ant-modal-content');
      const range = '2001:db8:1::/48';
      await bl.locator('#value').fill(range);
      await bl.locator('.ant-modal-footer .ant-btn-primary').click();
      await page.getByText(x.added).waitFor();
      await page.getByText(range).waitFor();
      expect((await assessClaim(env.h.ctx, { scope: {}, ip: range.replace('/48', '5'), phone: '13600001234' })).outcome).toBe('deny');
      await page.getByRole('tab', { name: x.decisions }).click();
      await page.getByText('136****1234').first().waitFor();
      await shot(page, `${lang}-risk`);
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it('support reads the risk page without the buttons that change things', async () => {
    const context = await newConsoleContext(env.browser, 'en-US');
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${env.h.url}/admin/risk`);
    await signIn(page, SUPPORT);
    await page.waitForURL(/\/admin\/risk/);
    await page.getByText(TEXT['en-US'].reviews).first().waitFor();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByText('phone per day zh-CN').waitFor();
    expect(await page.locator('#risk-rule-new').count()).toBe(0);
    await page.getByRole('tab', { name: 'Blacklist' }).click();
    await page.getByText('2001:db8:1::/48').waitFor();
    await shot(page, 'en-US-risk');
    expect(await page.locator('#risk-blacklist-add').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
