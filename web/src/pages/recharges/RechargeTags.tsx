import { Tag } from 'antd';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

export type RechargeOrder = ResponseOf<'/v1/admin/recharges/{id}', 'get'>;
export type Attempt = RechargeOrder['attempts'][number];
export type RechargeEvent = RechargeOrder['events'][number];

const ORDER_COLOR = { processing: 'blue', succeeded: 'green', failed: 'red' } as const;
const ATTEMPT_COLOR = { created: 'default', submitting: 'blue', accepted: 'blue', unknown: 'orange', succeeded: 'green', failed: 'red', rejected: 'red' } as const;

export function OrderStatusTag({ status }: { status: RechargeOrder['status'] }) {
  const { t } = useI18n();
  return <Tag color={ORDER_COLOR[status]}>{t(`recharges.status.${status}`)}</Tag>;
}

/** `unknown`: the request may have reached the supplier; only a query or an operator resolves it. */
export function AttemptStateTag({ state }: { state: Attempt['state'] }) {
  const { t } = useI18n();
  return <Tag color={ATTEMPT_COLOR[state]}>{t(`recharges.attemptState.${state}`)}</Tag>;
}
