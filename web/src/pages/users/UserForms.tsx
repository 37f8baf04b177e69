import { ModalForm, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import { App } from 'antd';
import type { ReactElement } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';

export type AdminUser = ResponseOf<'/v1/admin/users', 'get'>['data'][number];
export type Role = AdminUser['role'];
export const ROLES: readonly Role[] = ['admin', 'operator', 'finance', 'auditor', 'support'];
/** the server's own minimum (POST /v1/admin/users, reset-password) */
const MIN_PASSWORD = 10;

function useRoleOptions() {
  const { t } = useI18n();
  return ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }));
}

function usePasswordRules() {
  const { t } = useI18n();
  return [{ required: true, min: MIN_PASSWORD, message: t('users.passwordRule', { min: MIN_PASSWORD }) }];
}

// The forms below return true only when the server accepted: ModalForm then closes; on a refusal (the last
// admin, a taken email) it stays open and the problem's detail shows (App.tsx's error messages).

export function CreateUserForm({ trigger, onDone }: { trigger: ReactElement; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const roles = useRoleOptions();
  const passwordRules = usePasswordRules();
  return (
    <ModalForm<{ email: string; role: Role; password: string }>
      title={t('users.new')}
      trigger={trigger}
      width={480}
      modalProps={{ destroyOnHidden: true }}
      onFinish={async (body) => {
        unwrap(await api.POST('/v1/admin/users', { body }));
        message.success(t('users.created', { email: body.email }));
        onDone();
        return true;
      }}
    >
      <ProFormText name="email" label={t('users.email')} rules={[{ required: true, type: 'email', message: t('users.emailRule') }]} fieldProps={{ autoComplete: 'off' }} />
      <ProFormSelect name="role" label={t('users.role')} options={roles} rules={[{ required: true, message: t('users.roleRule') }]} />
      <ProFormText.Password name="password" label={t('users.initialPassword')} extra={t('users.initialPasswordHint')} rules={passwordRules} fieldProps={{ autoComplete: 'new-password' }} />
    </ModalForm>
  );
}

export function ChangeRoleForm({ user, trigger, onDone }: { user: AdminUser; trigger: ReactElement; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const roles = useRoleOptions();
  return (
    <ModalForm<{ role: Role }>
      title={t('users.changeRoleOf', { email: user.email })}
      trigger={trigger}
      width={420}
      initialValues={{ role: user.role }}
      modalProps={{ destroyOnHidden: true, okText: t('users.changeRole') }}
      onFinish={async ({ role }) => {
        unwrap(await api.PATCH('/v1/admin/users/{id}', { params: { path: { id: user.id } }, body: { role } }));
        message.success(t('users.roleChanged', { email: user.email, role: t(`roles.${role}`) }));
        onDone();
        return true;
      }}
    >
      <ProFormSelect name="role" label={t('users.role')} options={roles} rules={[{ required: true, message: t('users.roleRule') }]} />
    </ModalForm>
  );
}

export function ResetPasswordForm({ user, trigger, onDone }: { user: AdminUser; trigger: ReactElement; onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const passwordRules = usePasswordRules();
  return (
    <ModalForm<{ password: string }>
      title={t('users.resetPasswordOf', { email: user.email })}
      trigger={trigger}
      width={420}
      modalProps={{ destroyOnHidden: true, okText: t('users.resetPassword') }}
      onFinish={async ({ password }) => {
        unwrap(await api.POST('/v1/admin/users/{id}/reset-password', { params: { path: { id: user.id } }, body: { password } }));
        message.success(t('users.passwordReset', { email: user.email }));
        onDone();
        return true;
      }}
    >
      <ProFormText.Password name="password" label={t('users.newPassword')} extra={t('users.resetPasswordHint')} rules={passwordRules} fieldProps={{ autoComplete: 'new-password' }} />
    </ModalForm>
  );
}
