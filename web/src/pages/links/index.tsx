import { DownloadOutlined, PlusOutlined } from '@ant-design/icons';
import { ModalForm, PageContainer, ProForm, ProFormDigit, ProFormSelect, ProFormText, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, AutoComplete, Button, Progress, Space, Tag, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf, ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { downloadExport } from '../exports/download.ts';

// Link batches (issue 7 §2): pre-issue N grants as redeem links and QR codes, follow the issuing job, and
// download the links as CSV / XLSX or a ZIP of QR PNGs (generated on download, audited; admin and operator).
type Batch = ResponseOf<'/v1/admin/link-batches', 'get'>['data'][number];

const STATUS_COLOR: Record<Batch['status'], string> = { issuing: 'processing', ready: 'success', failed: 'error' };
const REFRESH_MS = 2_000;
const FORMATS = ['csv', 'xlsx', 'zip'] as const;

function CreateBatchForm({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  // only admins may list clients (an operator's request is refused, silently): others type the client's name or id
  const clients = useQuery({ queryKey: ['clients', 'all'], meta: { silent: true }, retry: false, queryFn: async () => unwrap(await api.GET('/v1/admin/clients')).data });
  const products = useQuery({ queryKey: ['products', 'all'], queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { limit: 200 } } })).data });
  return (
    <ModalForm<{ client: string; product: string; count: number; label: string }>
      title={t('links.new')}
      trigger={
        <Button type="primary" icon={<PlusOutlined />} data-testid="links-new">
          {t('links.new')}
        </Button>
      }
      width={520}
      modalProps={{ destroyOnHidden: true }}
      onFinish={async (body) => {
        const b = unwrap(await api.POST('/v1/admin/link-batches', { body }));
        message.success(t('links.created', { count: b.count }));
        onDone();
        return true;
      }}
    >
      <ProForm.Item name="client" label={t('links.client')} extra={t('links.clientHint')} rules={[{ validator: (_: unknown, v: unknown) => (typeof v === 'string' && v.trim() ? Promise.resolve() : Promise.reject(new Error(t('links.required')))) }]}>
        <AutoComplete
          id="links-client"
          options={(clients.data ?? []).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
          filterOption={(input, o) => String(o?.label ?? '').toLowerCase().includes(input.toLowerCase())}
        />
      </ProForm.Item>
      <ProFormSelect
        name="product"
        label={t('links.product')}
        showSearch
        options={(products.data ?? []).filter((p) => p.status === 'active').map((p) => ({ value: p.id, label: `${p.name} · ${p.sku}` }))}
        rules={[{ required: true, message: t('links.required') }]}
      />
      <ProFormDigit name="count" label={t('links.count')} min={1} max={100000} fieldProps={{ precision: 0 }} rules={[{ required: true, message: t('links.required') }]} />
      <ProFormText name="label" label={t('links.label')} placeholder={t('links.labelHint')} rules={[{ required: true, message: t('links.required') }]} />
    </ModalForm>
  );
}

/** Link batches, newest first; refreshes itself while one is issuing. */
export default function LinksPage() {
  const { t } = useI18n();
  const table = useRef<ActionType>();
  const rows = useRef<Batch[]>([]);
  const download = useMutation({ mutationFn: downloadExport });
  const request = useCursorRequest<Batch, QueryOf<'/v1/admin/link-batches', 'get'>>(async (query) => {
    const page = unwrap(await api.GET('/v1/admin/link-batches', { params: { query } }));
    rows.current = page.data;
    return page;
  });
  useEffect(() => {
    const timer = setInterval(() => {
      if (rows.current.some((b) => b.status === 'issuing')) void table.current?.reload();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);

  const columns: ProColumns<Batch>[] = [
    { title: t('links.id'), dataIndex: 'id', render: (_, b) => <Typography.Text copyable={{ text: b.id }}>{b.id}</Typography.Text> },
    { title: t('links.label'), dataIndex: 'label' },
    { title: t('common.status'), dataIndex: 'status', render: (_, b) => <Tag color={STATUS_COLOR[b.status]}>{t(`links.status.${b.status}`)}</Tag> },
    {
      title: t('links.progress'),
      dataIndex: 'issued',
      width: 200,
      render: (_, b) => (
        <Space direction="vertical" size={0} style={{ width: '100%' }}>
          <Progress percent={Math.floor((b.issued / b.count) * 100)} size="small" status={b.status === 'failed' ? 'exception' : b.status === 'issuing' ? 'active' : 'success'} />
          <Typography.Text type="secondary">{t('links.issuedOf', { issued: b.issued, count: b.count })}</Typography.Text>
          {b.error ? <Typography.Text type="danger">{b.error}</Typography.Text> : null}
        </Space>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'created_at', render: (_, b) => formatTime(b.created_at) },
    {
      title: t('common.actions'),
      valueType: 'option',
      render: (_, b) => (
        <Can permission="links:export">
          <Space size={0}>
            {FORMATS.map((f) => (
              <Button key={f} type="link" size="small" icon={<DownloadOutlined />} disabled={b.issued === 0} onClick={() => download.mutate(`/v1/admin/link-batches/${b.id}/export?format=${f}`)} data-testid={`links-${f}-${b.id}`}>
                {t(`links.formats.${f}`)}
              </Button>
            ))}
          </Space>
        </Can>
      ),
    },
  ];
  return (
    <PageContainer title={t('links.title')} extra={<Can permission="links:create"><CreateBatchForm onDone={() => void table.current?.reload()} /></Can>}>
      <Alert type="warning" showIcon message={t('links.hint')} style={{ marginBottom: 16 }} />
      <ProTable<Batch>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        search={false}
        pagination={{ defaultPageSize: 20 }}
        scroll={{ x: 'max-content' }}
        options={{ reload: true, density: false, setting: false }}
      />
    </PageContainer>
  );
}
