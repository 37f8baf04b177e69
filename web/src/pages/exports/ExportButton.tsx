import { DownloadOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Dropdown } from 'antd';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client.ts';
import type { paths } from '../../api/schema';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';

type CreateBody = NonNullable<paths['/v1/admin/exports']['post']['requestBody']>['content']['application/json'];
export type ExportKind = CreateBody['kind'];
type FilterOf<K extends ExportKind> = NonNullable<Extract<CreateBody, { kind: K }>['filter']>;

/**
 * "Export" on a list page: exports what the list shows (its current filters) as CSV or XLSX. The server runs
 * it as a job; the operator follows it on the exports page. Shown only to roles that may export this kind
 * (exports:<kind>, the exports module's permissions); the server checks again.
 */
export function ExportButton<K extends ExportKind>({ kind, filter }: { kind: K; filter: FilterOf<K> }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: async (format: 'csv' | 'xlsx') => unwrap(await api.POST('/v1/admin/exports', { body: { kind, format, filter } as CreateBody })),
    onSuccess: () =>
      message.success({
        content: (
          <span>
            {t('exports.started')} <a onClick={() => navigate('/exports')}>{t('exports.openList')}</a>
          </span>
        ),
      }),
  });
  return (
    <Can permission={`exports:${kind}`}>
      <Dropdown
        menu={{
          items: [
            { key: 'csv', label: t('exports.csv'), onClick: () => create.mutate('csv') },
            { key: 'xlsx', label: t('exports.xlsx'), onClick: () => create.mutate('xlsx') },
          ],
        }}
      >
        <Button icon={<DownloadOutlined />} loading={create.isPending} data-testid={`export-${kind}`}>
          {t('exports.export')}
        </Button>
      </Dropdown>
    </Can>
  );
}
