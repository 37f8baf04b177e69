import { InboxOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, AutoComplete, Card, Col, Form, Row, Select, Upload } from 'antd';
import { useState } from 'react';
import { api, rawFetch, toApiError, unwrap } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

interface Problem {
  message: string;
  rows: { field: string; message: string }[];
}

/**
 * A new run: choose the client and the product, optionally a notification, then drop the list. The fields
 * go before the file in the multipart body (the server reads the file's rows as they arrive).
 */
export function NewRun({ onCreated }: { onCreated(): void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<{ client?: string; product?: string; notify?: 'sms' | 'email' | '' }>();
  const [problem, setProblem] = useState<Problem>();
  const [created, setCreated] = useState<string>();
  const products = useQuery({
    queryKey: ['products', 'bulk'],
    queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { status: 'active', limit: 200 } } })).data,
  });
  // only admins may list clients; others type the client's name or id
  const clients = useQuery({
    queryKey: ['clients', 'bulk'],
    meta: { silent: true },
    retry: false,
    queryFn: async () => unwrap(await api.GET('/v1/admin/clients')),
  });

  const upload = async (file: File) => {
    setProblem(undefined);
    setCreated(undefined);
    const v = await form.validateFields();
    const body = new FormData();
    body.append('client', v.client!.trim());
    if (v.product) body.append('product', v.product);
    if (v.notify) body.append('notify', v.notify);
    body.append('file', file, file.name);
    const res = await rawFetch('/v1/admin/bulk-issuances', { method: 'POST', body });
    const json = await res.json().catch(() => undefined);
    if (res.status !== 202) {
      setProblem({ message: toApiError(res, json).message, rows: (json?.errors as Problem['rows']) ?? [] });
      return;
    }
    setCreated(json.id as string);
    onCreated();
  };

  const clientOptions = (Array.isArray(clients.data) ? clients.data : ((clients.data as { data?: { id: string; name: string }[] } | undefined)?.data ?? [])).map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }));
  return (
    <Card title={t('bulk.newRun')} style={{ marginBottom: 16 }}>
      <Form form={form} layout="vertical" initialValues={{ notify: '' }}>
        <Row gutter={16}>
          <Col xs={24} md={9}>
            <Form.Item name="client" htmlFor="bulk-client" label={t('bulk.client')} rules={[{ validator: (_, v) => (v?.trim() ? Promise.resolve() : Promise.reject(new Error(t('bulk.chooseClient')))) }]}>
              <AutoComplete id="bulk-client" options={clientOptions} filterOption={(input, o) => String(o?.label ?? '').toLowerCase().includes(input.toLowerCase())} />
            </Form.Item>
          </Col>
          <Col xs={24} md={9}>
            <Form.Item name="product" htmlFor="bulk-product" label={t('bulk.product')} extra={t('bulk.productHint')}>
              <Select id="bulk-product" allowClear showSearch optionFilterProp="label" loading={products.isLoading} options={products.data?.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={6}>
            <Form.Item name="notify" htmlFor="bulk-notify" label={t('bulk.notify')}>
              <Select id="bulk-notify" options={[{ value: '', label: t('bulk.notifyNone') }, { value: 'sms', label: t('bulk.notifySms') }, { value: 'email', label: t('bulk.notifyEmail') }]} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <Upload.Dragger
        accept=".csv,.xlsx"
        multiple={false}
        showUploadList={false}
        beforeUpload={(file) => {
          void upload(file).catch((e: Error) => setProblem({ message: e.message ?? String(e), rows: [] }));
          return false;
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('bulk.dropTitle')}</p>
        <p className="ant-upload-hint">{t('bulk.dropHint')}</p>
      </Upload.Dragger>
      {problem && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 16 }}
          message={problem.message}
          description={problem.rows.length ? <ul style={{ margin: 0 }}>{problem.rows.map((r) => <li key={r.field}>{`${r.field}: ${r.message}`}</li>)}</ul> : undefined}
          data-testid="bulk-problem"
        />
      )}
      {created && <Alert type="success" showIcon style={{ marginTop: 16 }} message={t('bulk.created', { id: created })} />}
    </Card>
  );
}
