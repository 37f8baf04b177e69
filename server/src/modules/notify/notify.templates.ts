import type { NotifyChannel } from '../../platform/db/schema.ts';

// Templates (issue 7 §4): per scope (default | product | campaign) × event × channel × locale, with
// {{variables}}. Built-in zh-CN defaults so notifications work without any configuration; a stored template
// overrides them. Unknown variables are refused when a template is saved, so a typo never reaches a recipient
// as a literal "{{prodcut_name}}".
export const NOTIFY_EVENTS = ['grant.issued', 'reminder.unclaimed_expiry', 'reminder.period_end', 'phone.verify'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
export const NOTIFY_CHANNELS: readonly NotifyChannel[] = ['sms', 'email', 'inapp'];

/** the variables a template may use; `code` / `card_code` only where the product allows it (see send_codes) */
export const TEMPLATE_VARIABLES = ['product_name', 'redeem_url', 'expires_at', 'brand_name', 'code', 'card_code', 'renewal_url', 'period_end', 'unsubscribe_url', 'minutes'] as const;
export type TemplateVars = Partial<Record<(typeof TEMPLATE_VARIABLES)[number], string>>;

export interface TemplateText {
  subject: string;
  body: string;
  /** SMS: the template code registered at the provider (Aliyun TemplateCode) */
  providerTemplate: string;
}

const VAR = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/** The unknown variables of a template text (empty when it is fine). */
export function unknownVariables(text: string): string[] {
  const known = new Set<string>(TEMPLATE_VARIABLES);
  return [...new Set([...text.matchAll(VAR)].map((m) => m[1]).filter((v) => !known.has(v)))];
}

/** The variables a template text uses. */
export function usedVariables(text: string): string[] {
  return [...new Set([...text.matchAll(VAR)].map((m) => m[1]))];
}

/** Fills {{variables}}; a known variable without a value becomes empty, never the placeholder. */
export function render(text: string, vars: TemplateVars): string {
  return text.replace(VAR, (_m, name: string) => (vars as Record<string, string | undefined>)[name] ?? '');
}

const D = (subject: string, body: string, providerTemplate = ''): TemplateText => ({ subject, body, providerTemplate });

/** Built-in zh-CN templates. SMS bodies are what the provider template registered as providerTemplate says. */
export const DEFAULT_TEMPLATES: Record<NotifyEvent, Record<NotifyChannel, TemplateText>> = {
  'grant.issued': {
    sms: D('', '【{{brand_name}}】您获得了{{product_name}}，请在{{expires_at}}前领取：{{redeem_url}}', 'SMS_QUANYI_GRANT_ISSUED'),
    email: D('您获得了{{product_name}}', '您好！\n\n{{brand_name}}送您{{product_name}}。点击领取：{{redeem_url}}\n请在{{expires_at}}前领取。\n'),
    inapp: D('您获得了{{product_name}}', '{{product_name}}已发放给您，请在{{expires_at}}前领取：{{redeem_url}}'),
  },
  'reminder.unclaimed_expiry': {
    sms: D('', '【{{brand_name}}】您的{{product_name}}将于{{expires_at}}过期，尚未领取：{{redeem_url}} 退订：{{unsubscribe_url}}', 'SMS_QUANYI_UNCLAIMED_EXPIRY'),
    email: D('{{product_name}}即将过期', '您好！\n\n您的{{product_name}}将于{{expires_at}}过期，尚未领取：{{redeem_url}}\n\n退订：{{unsubscribe_url}}\n'),
    inapp: D('{{product_name}}即将过期', '您的{{product_name}}将于{{expires_at}}过期，尚未领取：{{redeem_url}}'),
  },
  'reminder.period_end': {
    sms: D('', '【{{brand_name}}】您的{{product_name}}将于{{period_end}}到期，续费：{{renewal_url}} 退订：{{unsubscribe_url}}', 'SMS_QUANYI_PERIOD_END'),
    email: D('{{product_name}}即将到期', '您好！\n\n您的{{product_name}}将于{{period_end}}到期。续费：{{renewal_url}}\n\n退订：{{unsubscribe_url}}\n'),
    inapp: D('{{product_name}}即将到期', '您的{{product_name}}将于{{period_end}}到期，续费：{{renewal_url}}'),
  },
  'phone.verify': {
    sms: D('', '【{{brand_name}}】您的验证码是{{code}}，{{minutes}}分钟内有效。请勿告诉他人。', 'SMS_QUANYI_PHONE_VERIFY'),
    email: D('验证码', '您的验证码是{{code}}，{{minutes}}分钟内有效。'),
    inapp: D('验证码', '您的验证码是{{code}}，{{minutes}}分钟内有效。'),
  },
};
