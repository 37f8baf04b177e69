import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button } from 'antd';
import { createElement, useEffect, useMemo } from 'react';
import { createAccess, type Access, type Me } from './access.ts';
import { api, lastServerContact, unwrap } from './api/client.ts';
import { useI18n } from './i18n/index.tsx';

export const ME_KEY = ['me'] as const;

/** The signed-in user and what they may do; a 401 sends the browser to the login page (api/client.ts). */
export function useSession(): { me: Me | undefined; access: Access; isLoading: boolean } {
  const q = useQuery({ queryKey: ME_KEY, queryFn: async () => unwrap(await api.GET('/v1/admin/me')), retry: false, staleTime: 60_000, meta: { silent: true } });
  const access = useMemo(() => createAccess(q.data), [q.data]);
  return { me: q.data, access, isLoading: q.isLoading };
}

/** How long before the server ends an idle session the operator is warned (or at half the timeout, if shorter). */
const WARN_BEFORE_MS = 2 * 60_000;
const WARNING_KEY = 'session-idle';

/**
 * Warns shortly before the server ends an idle session (it stays the judge: the 401 `session_expired` that
 * follows sends the operator to the login page with a notice). "Stay signed in" makes a call, which restarts
 * the server's idle clock. Nothing is stored in the browser: the clock is the time of the last answer.
 */
export function useIdleWarning(idleTimeoutSeconds: number | undefined) {
  const { notification } = App.useApp();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!idleTimeoutSeconds) return;
    const timeoutMs = idleTimeoutSeconds * 1000;
    const warnAt = timeoutMs - Math.min(WARN_BEFORE_MS, timeoutMs / 2);
    let shown = false;
    const tick = setInterval(() => {
      const idle = Date.now() - lastServerContact;
      if (idle < warnAt) {
        if (shown) notification.destroy(WARNING_KEY);
        shown = false;
        return;
      }
      if (shown) return;
      shown = true;
      notification.warning({
        key: WARNING_KEY,
        message: t('session.idleTitle'),
        description: t('session.idleBody', { minutes: Math.max(1, Math.round((timeoutMs - idle) / 60_000)) }),
        duration: 0,
        btn: createElement(Button, { type: 'primary', size: 'small', onClick: () => void queryClient.refetchQueries({ queryKey: ME_KEY }) }, t('session.stay')),
      });
    }, 10_000);
    return () => clearInterval(tick);
  }, [idleTimeoutSeconds, notification, t, queryClient]);
}
