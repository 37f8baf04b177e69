import { ModalForm, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import { Alert, Button, Descriptions, Modal, Typography } from 'antd';
import { useState, type ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

type Created = ResponseOf<'/v1/admin/clients', 'post', 201>;
type Scope = paths['/v1/admin/clients']['post']['requestBody']['content']['application/json']['scopes'][number];
// the scopes POST /v1/admin/clients accepts (its schema's enum); a scope it refuses is a 400 with its name
const SCOPES = ['grants:write', 'grants:read', 'webhooks:write', 'webhooks:read'] as const satisfies readonly Scope[];

/**
 * Create a client key. The server answers the secret once and keeps only what verifies it: the modal that
 * shows it lives in this component's state only (never stored, never refetched), and closing it forgets it.
 */
export function NewClient({ trigger, onCreated }: { trigger: ReactElement; onCreated(): void }) {
  const { t } = useI18n();
  const [created, setCreated] = useState<Created | null>(null);
  const submit = async (v: { name: string; scopes: Scope[] }) => {
    const c = unwrap(await api.POST('/v1/admin/clients', { body: { name: v.name.trim(), scopes: v.scopes } }));
    setCreated(c);
    onCreated();
    return true;
  };
  return (
    <>
      <ModalForm<{ name: string; scopes: Scope[] }>
        title={t('clients.new')}
        trigger={trigger}
        initialValues={{ scopes: ['grants:write', 'grants:read'] }}
        modalProps={{ destroyOnHidden: true }}
        onFinish={submit}
        submitter={{ searchConfig: { submitText: t('common.create'), resetText: t('common.cancel') } }}
      >
        <ProFormText name="name" label={t('clients.name')} placeholder={t('clients.nameHint')} rules={[{ required: true, whitespace: true, max: 100 }]} />
        <ProFormSelect name="scopes" label={t('clients.scopes')} mode="multiple" rules={[{ required: true, message: t('clients.scopesRequired') }]}
          options={SCOPES.map((s) => ({ value: s, label: `${s} · ${t(`clients.scope.${s}`)}` }))} />
      </ModalForm>
      <Modal
        open={created !== null}
        title={t('clients.secretTitle')}
        closable={false}
        maskClosable={false}
        keyboard={false}
        // without it the closed dialog keeps its last content (the secret) hidden in the page
        destroyOnHidden
        footer={<Button type="primary" onClick={() => setCreated(null)} id="client-secret-done">{t('clients.secretSaved')}</Button>}
        width={640}
      >
        {created && (
          <>
            <Alert type="warning" showIcon message={t('clients.secretWarning')} style={{ marginBottom: 16 }} />
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('clients.name')}>{created.name}</Descriptions.Item>
              <Descriptions.Item label={t('clients.keyId')}>
                <Typography.Text code copyable data-testid="client-key-id">{created.key_id}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label={t('clients.secret')}>
                <Typography.Text code copyable data-testid="client-secret" style={{ wordBreak: 'break-all' }}>{created.secret}</Typography.Text>
              </Descriptions.Item>
            </Descriptions>
          </>
        )}
      </Modal>
    </>
  );
}
