import { ModalForm, ProFormRadio, ProFormTextArea } from '@ant-design/pro-components';
import { App, Alert, Button } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { Attempt, RechargeOrder } from './RechargeTags.tsx';

interface Values {
  outcome: 'succeeded' | 'failed';
  reason: string;
}

/**
 * Resolving an `unknown` attempt by hand settles money either way (the recipient gets the membership, or the
 * grant fails and the next supplier is not tried), so it takes a reason (audited) and a second confirmation.
 */
export function ResolveUnknown({ order, attempt, onDone }: { order: RechargeOrder; attempt: Attempt; onDone(o: RechargeOrder): void }) {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const submit = async (v: Values) => {
    const ok = await modal.confirm({
      title: t('recharges.resolveConfirmTitle'),
      content: t(v.outcome === 'succeeded' ? 'recharges.resolveConfirmSucceeded' : 'recharges.resolveConfirmFailed', { attempt: attempt.customer_order_no }),
      okText: t('recharges.resolve'),
      okType: v.outcome === 'failed' ? 'danger' : 'primary',
      cancelText: t('common.cancel'),
    });
    if (!ok) return false;
    onDone(unwrap(await api.POST('/v1/admin/recharges/{id}/resolve', { params: { path: { id: order.id } }, body: { outcome: v.outcome, reason: v.reason.trim() } })));
    return true;
  };
  return (
    <ModalForm<Values>
      title={t('recharges.resolveTitle')}
      trigger={<Button danger id="recharge-resolve">{t('recharges.resolve')}</Button>}
      modalProps={{ destroyOnHidden: true }}
      onFinish={submit}
      submitter={{ searchConfig: { submitText: t('recharges.resolve'), resetText: t('common.cancel') } }}
    >
      <Alert type="warning" showIcon message={t('recharges.resolveWarning', { attempt: attempt.customer_order_no })} style={{ marginBottom: 16 }} />
      <ProFormRadio.Group name="outcome" label={t('recharges.outcome')} radioType="button" rules={[{ required: true, message: t('recharges.outcomeRequired') }]}
        options={(['succeeded', 'failed'] as const).map((o) => ({ value: o, label: t(`recharges.outcomes.${o}`) }))} />
      <ProFormTextArea name="reason" label={t('recharges.reason')} placeholder={t('recharges.reasonHint')} fieldProps={{ maxLength: 500, showCount: true }}
        rules={[{ required: true, whitespace: true, min: 3, message: t('recharges.reasonRequired') }]} />
    </ModalForm>
  );
}
