import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useI18n, type MessageKey } from '../i18n/index.tsx';
import { useSession } from '../session.ts';

/** Renders its children when the user holds `permission`, the 403 page otherwise (the server refuses too). */
export function RequirePermission({ permission, children }: { permission?: string; children: ReactNode }) {
  const { access } = useSession();
  return access.can(permission) ? children : <Forbidden />;
}

/** Shows a button, link or column only to users who may use it. */
export function Can({ permission, children }: { permission: string; children: ReactNode }) {
  const { access } = useSession();
  return access.can(permission) ? children : null;
}

export function Forbidden() {
  const { t } = useI18n();
  return <Result status="403" title={t('common.forbidden')} subTitle={t('common.forbiddenDetail')} extra={<Link to="/"><Button type="primary">{t('common.backHome')}</Button></Link>} />;
}

export function NotFound() {
  const { t } = useI18n();
  return <Result status="404" title={t('common.notFound')} extra={<Link to="/"><Button type="primary">{t('common.backHome')}</Button></Link>} />;
}

export function ComingSoon({ page }: { page: MessageKey }) {
  const { t } = useI18n();
  return <Result status="info" title={t('common.comingSoon')} subTitle={t('common.comingSoonDetail', { page: t(page) })} />;
}
