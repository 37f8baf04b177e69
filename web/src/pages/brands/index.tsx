import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ActionType, type ProColumns } from '@ant-design/pro-components';
import { Button, Space, Tag, Tooltip, Typography } from 'antd';
import { useRef, useState } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { formatTime } from '../../lib/time.ts';
import { BrandEditor, type Brand } from './BrandEditor.tsx';

/** H5 brands: per client or campaign, the look and the customer-service contact of the end-user pages. */
export default function BrandsPage() {
  const { t } = useI18n();
  const table = useRef<ActionType>(null);
  const [editing, setEditing] = useState<{ brand?: Brand } | null>(null);
  const request = useCursorRequest<Brand, QueryOf<'/v1/admin/brands', 'get'>>(async (query) => unwrap(await api.GET('/v1/admin/brands', { params: { query } })));
  const columns: ProColumns<Brand>[] = [
    {
      title: t('h5.name'),
      dataIndex: 'name',
      render: (_, b) => (
        <Space>
          <span style={{ display: 'inline-block', width: 14, height: 14, borderRadius: 3, background: b.primary_color }} />
          {b.logo_url && <img src={b.logo_url} alt="" style={{ height: 20 }} />}
          {b.name}
        </Space>
      ),
    },
    { title: t('h5.scope'), render: (_, b) => (b.campaign_id ? <Tag color="purple">{t('h5.campaign')}: {b.campaign_id}</Tag> : b.client_id ? <Tag color="blue">{t('h5.client')}: {b.client_id}</Tag> : <Tag>{t('h5.fallback')}</Tag>) },
    {
      title: <Tooltip title={t('h5.linksHint')}>{t('h5.links')}</Tooltip>,
      render: (_, b) => (
        <Space direction="vertical" size={0}>
          {['/x', '/me'].map((p) => (
            <Typography.Text key={p} copyable={{ text: `${window.location.origin}${p}?brand=${b.id}` }} style={{ fontSize: 12 }}>
              {p}?brand={b.id}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    { title: t('h5.contact'), render: (_, b) => [b.service_phone, b.service_wechat, b.service_url].filter(Boolean).join(' · ') || '-' },
    { title: t('h5.updatedAt'), dataIndex: 'updated_at', render: (_, b) => formatTime(b.updated_at) },
    { title: t('common.actions'), valueType: 'option', render: (_, b) => <a onClick={() => setEditing({ brand: b })}>{t('h5.open')}</a> },
  ];
  return (
    <PageContainer title={t('h5.title')} content={t('h5.intro')}>
      <ProTable<Brand>
        rowKey="id"
        actionRef={table}
        columns={columns}
        request={request}
        search={false}
        options={{ reload: true, density: false, setting: false }}
        toolBarRender={() => [
          <Can key="new" permission="brands:write">
            <Button type="primary" icon={<PlusOutlined />} id="brand-new" onClick={() => setEditing({})}>{t('h5.new')}</Button>
          </Can>,
        ]}
      />
      <BrandEditor
        open={editing !== null}
        brand={editing?.brand}
        onClose={() => setEditing(null)}
        onSaved={(b) => {
          setEditing({ brand: b });
          table.current?.reload();
        }}
      />
    </PageContainer>
  );
}
