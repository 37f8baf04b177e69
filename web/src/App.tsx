import { enUSIntl, ProConfigProvider, zhCNIntl } from '@ant-design/pro-components';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
// the ES modules: the CommonJS entry (antd/locale/…) reached the bundle as its exports object, so antd's own
// strings (pager, Popconfirm buttons) silently stayed English in zh-CN
import enUSAntd from 'antd/es/locale/en_US';
import zhCNAntd from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import { lazy, useEffect, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { ApiError, setUnauthorizedHandler } from './api/client.ts';
import './lib/time.ts';
import { ComingSoon, Forbidden, NotFound, RequirePermission } from './components/Guard.tsx';
import { I18nProvider, useI18n, type Lang } from './i18n/index.tsx';
import { Shell } from './layout/Shell.tsx';
import { homePath, ROUTES } from './routes.tsx';
import { useSession } from './session.ts';

const Login = lazy(() => import('./pages/login/index.tsx'));

const ANTD_LOCALE = { 'zh-CN': zhCNAntd, 'en-US': enUSAntd } as const;
// pro-components' own strings (query form, pager) follow the language too
const PRO_INTL = { 'zh-CN': zhCNIntl, 'en-US': enUSIntl } as const;
const DAYJS_LOCALE: Record<Lang, string> = { 'zh-CN': 'zh-cn', 'en-US': 'en' };

/** Errors the pages do not handle themselves: the problem's `detail` in a message; a 401 has already redirected. */
let showError: (err: unknown) => void = () => undefined;
const report = (err: unknown, meta?: Record<string, unknown>) => {
  if (meta?.silent || (err instanceof ApiError && err.status === 401)) return;
  showError(err);
};
const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (err, query) => report(err, query.meta) }),
  mutationCache: new MutationCache({ onError: (err, _v, _c, mutation) => report(err, mutation.meta) }),
  defaultOptions: { queries: { retry: (n, err) => !(err instanceof ApiError) && n < 2, refetchOnWindowFocus: false } },
});

/** The console's start: the first page the user may open (the Shell above has loaded the session). */
function Home() {
  const { access } = useSession();
  const to = homePath(access);
  return to ? <Navigate to={to} replace /> : <Forbidden />;
}

const router = createBrowserRouter(
  [
    { path: '/login', element: <Login /> },
    {
      path: '/',
      element: <Shell />,
      children: [
        { index: true, element: <Home /> },
        ...ROUTES.map((r) => ({
          path: r.path.slice(1) + '/*',
          element: <RequirePermission permission={r.permission}>{r.page ? <r.page /> : <ComingSoon page={r.menu} />}</RequirePermission>,
        })),
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/admin' },
);

setUnauthorizedHandler(({ expired }) => {
  const here = window.location.pathname.replace(/^\/admin/, '') || '/';
  if (here.startsWith('/login')) return;
  queryClient.clear();
  // `expired`: the login page says why the operator is there (an idle session, not a wrong click)
  void router.navigate(`/login?next=${encodeURIComponent(here + window.location.search)}${expired ? '&expired=1' : ''}`, { replace: true });
});

function ErrorMessages({ children }: { children: ReactNode }) {
  const { message } = AntApp.useApp();
  const { t } = useI18n();
  useEffect(() => {
    showError = (err) => {
      if (err instanceof ApiError) message.error(err.problem.detail || err.problem.title || t('common.requestFailed', { status: err.status }));
      else message.error(t('common.networkError'));
    };
  }, [message, t]);
  return children;
}

// Someone whose system asks for less motion (prefers-reduced-motion: WCAG 2.3.3) gets none of Ant Design's:
// no transitions, no wave on click, no sliding drawers. Read once: the setting rarely changes mid-session.
const REDUCED_MOTION = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

// Ant Design's default blue (#1677ff) and grey texts (45% black) fall short of WCAG AA contrast (4.5:1) on white:
// one shade darker for the primary colour (buttons, links, tabs), greys of at least 60% black (axe, issue 6).
const THEME = {
  token: {
    colorPrimary: '#0958d9',
    colorLink: '#0958d9',
    colorTextSecondary: 'rgba(0, 0, 0, 0.65)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.6)',
    colorTextDescription: 'rgba(0, 0, 0, 0.6)',
    motion: !REDUCED_MOTION,
  },
};

/** `nonce`: the CSP nonce of this page (csp.ts), for the <style> tags Ant Design writes. */
function Themed({ nonce }: { nonce?: string }) {
  const { lang } = useI18n();
  dayjs.locale(DAYJS_LOCALE[lang]);
  return (
    <ConfigProvider locale={ANTD_LOCALE[lang]} csp={nonce ? { nonce } : undefined} theme={THEME} wave={{ disabled: REDUCED_MOTION }}>
      <ProConfigProvider intl={PRO_INTL[lang]}>
        <AntApp>
          <ErrorMessages>
            <RouterProvider router={router} />
          </ErrorMessages>
        </AntApp>
      </ProConfigProvider>
    </ConfigProvider>
  );
}

export function App({ nonce }: { nonce?: string }) {
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <Themed nonce={nonce} />
      </I18nProvider>
    </QueryClientProvider>
  );
}
