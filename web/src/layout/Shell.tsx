import { LogoutOutlined, TranslationOutlined } from '@ant-design/icons';
import { ProLayout } from '@ant-design/pro-components';
import { useQueryClient } from '@tanstack/react-query';
import { Dropdown, Spin, Tag } from 'antd';
import { Suspense } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client.ts';
import { LANGS, useI18n, type Lang, type MessageKey } from '../i18n/index.tsx';
import { ROUTES } from '../routes.tsx';
import { useIdleWarning, useSession } from '../session.ts';

const LANG_LABEL: Record<Lang, string> = { 'zh-CN': '简体中文', 'en-US': 'English' };

/** The signed-in frame: side menu (only the pages the role may open), header with user, role, language, logout. */
export function Shell() {
  const { t, lang, setLang } = useI18n();
  const { me, access, isLoading } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useIdleWarning(me?.idle_timeout_seconds);

  if (isLoading || !me) return <Spin fullscreen />;

  const logout = async () => {
    await api.POST('/v1/admin/logout');
    queryClient.clear();
    navigate('/login', { replace: true });
  };
  const menu = ROUTES.filter((r) => access.can(r.permission)).map((r) => ({ path: r.path, name: t(r.menu), icon: r.icon }));

  return (
    <ProLayout
      title={t('common.appName')}
      logo={false}
      layout="mix"
      fixSiderbar
      location={{ pathname: location.pathname }}
      route={{ path: '/', routes: menu }}
      menuItemRender={(item, dom) => (item.path ? <Link to={item.path}>{dom}</Link> : dom)}
      avatarProps={{
        title: me.email,
        size: 'small',
        render: (_, dom) => (
          <Dropdown menu={{ items: [{ key: 'logout', icon: <LogoutOutlined />, label: t('common.logout'), onClick: logout }] }}>
            <span data-testid="user-menu">{dom}</span>
          </Dropdown>
        ),
      }}
      actionsRender={() => [
        <Tag key="role" color="blue" data-testid="role">
          {t(`roles.${me.role}` as MessageKey)}
        </Tag>,
        <Dropdown
          key="lang"
          menu={{ selectedKeys: [lang], items: LANGS.map((l) => ({ key: l, label: LANG_LABEL[l], onClick: () => setLang(l) })) }}
        >
          <span role="button" aria-label={t('common.language')} data-testid="lang-switch">
            <TranslationOutlined /> {LANG_LABEL[lang]}
          </span>
        </Dropdown>,
      ]}
    >
      <Suspense fallback={<Spin />}>
        <Outlet />
      </Suspense>
    </ProLayout>
  );
}
