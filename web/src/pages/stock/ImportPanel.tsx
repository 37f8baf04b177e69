import { InboxOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Card, Col, Form, Input, Progress, Row, Select, Upload } from 'antd';
import { useState } from 'react';
import { api, rawFetch, toApiError, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { yuanToFen } from '../../lib/money.ts';
import { STOCK_KEY } from './StockTable.tsx';

type ImportAccepted = ResponseOf<'/v1/admin/imports', 'post', 202>;
const FINAL = ['succeeded', 'failed', 'dead'];

/**
 * Drag-and-drop import: the file goes to POST /v1/admin/imports (multipart), which answers 202 with a job;
 * the job is polled until it ends, its progress shown as a bar. `onDone` lets the batch list reload.
 */
export function ImportPanel({ onDone }: { onDone(): void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ product?: string; supplier?: string; unit_cost?: string }>();
  const [accepted, setAccepted] = useState<ImportAccepted>();
  const [error, setError] = useState<string>();
  const products = useQuery({
    queryKey: ['products', 'importable'],
    queryFn: async () => unwrap(await api.GET('/v1/admin/products', { params: { query: { status: 'active', limit: 200 } } })).data.filter((p) => p.kind !== 'direct_recharge'),
  });
  const job = useQuery({
    queryKey: ['job', accepted?.job_id],
    enabled: !!accepted,
    queryFn: async () => unwrap(await api.GET('/v1/admin/jobs/{id}', { params: { path: { id: accepted!.job_id } } })),
    refetchInterval: (q) => (q.state.data && FINAL.includes(q.state.data.status) ? false : 500),
  });
  const j = job.data;
  const done = j?.status === 'succeeded';
  const percent = done ? 100 : j?.progress_total ? Math.min(99, Math.floor((j.progress_done / j.progress_total) * 100)) : 0;
  const result = (j?.result ?? {}) as { imported?: number; rejected_count?: number };

  const upload = async (file: File) => {
    setError(undefined);
    setAccepted(undefined);
    const v = await form.validateFields();
    const body = new FormData();
    body.append('product', v.product!);
    if (v.supplier) body.append('supplier', v.supplier);
    if (v.unit_cost) body.append('unit_cost', String(yuanToFen(v.unit_cost)));
    body.append('file', file, file.name);
    const res = await rawFetch('/v1/admin/imports', { method: 'POST', body });
    const json = await res.json().catch(() => undefined);
    if (res.status !== 202) {
      setError(toApiError(res, json).message);
      return;
    }
    setAccepted(json as ImportAccepted);
  };

  if (done && accepted && job.isFetchedAfterMount) {
    // once per finished job: the stock and the batch list change
    queueMicrotask(() => {
      void queryClient.invalidateQueries({ queryKey: STOCK_KEY });
      onDone();
    });
  }

  return (
    <Card title={t('stock.import')} style={{ marginBottom: 16 }}>
      <Form form={form} layout="vertical">
        <Row gutter={16}>
          <Col xs={24} md={10}>
            <Form.Item
              name="product"
              htmlFor="import-product"
              label={t('stock.importProduct')}
              // a validator, not `required`: antd puts aria-required on the Select's wrapper <div>, which ARIA does not allow (axe: critical)
              rules={[{ validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('stock.chooseProductFirst')))) }]}
            >
              <Select
                showSearch
                optionFilterProp="label"
                loading={products.isLoading}
                options={products.data?.map((p) => ({ value: p.id, label: `${p.sku} · ${p.name}` }))}
                id="import-product"
              />
            </Form.Item>
          </Col>
          <Col xs={12} md={7}>
            <Form.Item name="supplier" label={t('stock.importSupplier')} rules={[{ max: 100 }]}>
              <Input />
            </Form.Item>
          </Col>
          <Col xs={12} md={7}>
            <Form.Item name="unit_cost" label={t('stock.importUnitCost')} rules={[{ validator: async (_, v?: string) => { if (v && yuanToFen(v) === null) throw new Error(t('products.moneyInvalid')); } }]}>
              <Input />
            </Form.Item>
          </Col>
        </Row>
      </Form>
      <Upload.Dragger
        accept=".csv,.txt,.xlsx"
        multiple={false}
        showUploadList={false}
        beforeUpload={(file) => {
          void upload(file).catch((e: Error) => setError(e.message ?? String(e)));
          return false; // uploaded by `upload` above, not by the component
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{t('stock.dropTitle')}</p>
        <p className="ant-upload-hint">{t('stock.dropHint')}</p>
      </Upload.Dragger>
      {error && <Alert type="error" showIcon message={error} style={{ marginTop: 16 }} />}
      {accepted && (
        <div style={{ marginTop: 16 }} data-testid="import-progress">
          <div>{t('stock.importProgress')}</div>
          <Progress percent={percent} status={j && ['failed', 'dead'].includes(j.status) ? 'exception' : done ? 'success' : 'active'} aria-label={t('stock.importProgress')} />
          {done && <Alert type="success" showIcon message={t('stock.importDone', { imported: result.imported ?? 0, rejected: result.rejected_count ?? 0 })} />}
          {j && ['failed', 'dead'].includes(j.status) && <Alert type="error" showIcon message={t('stock.importFailed', { error: j.last_error ?? j.status })} />}
        </div>
      )}
    </Card>
  );
}
