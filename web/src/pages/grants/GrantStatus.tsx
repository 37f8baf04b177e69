import { Tag } from 'antd';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

export type Grant = ResponseOf<'/v1/admin/grants', 'get'>['data'][number];
export type GrantStatus = Grant['status'];
export const GRANT_STATUSES: GrantStatus[] = ['pending', 'issued', 'redeemed', 'expired', 'voided', 'failed'];

const COLOR: Record<GrantStatus, string> = { pending: 'processing', issued: 'blue', redeemed: 'success', expired: 'default', voided: 'volcano', failed: 'error' };

export function GrantStatusTag({ status }: { status: GrantStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={COLOR[status]} data-testid="grant-status">
      {t(`grants.status.${status}`)}
    </Tag>
  );
}

/** Who it went to, as the server shows it (phone and account already masked). */
export function recipientText(r: Grant['recipient']): string {
  return [r.phone, r.external_id, r.email, r.account].filter(Boolean).join(' · ') || '-';
}
