import { CloudDownloadOutlined, DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, DatePicker, Empty, Row, Select, Space, Statistic, Table, Tag, Typography, Upload } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { ApiError, api, rawFetch, toApiError, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { Can } from '../../components/Guard.tsx';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan } from '../../lib/money.ts';
import { TIME_ZONE, formatTime } from '../../lib/time.ts';
import { useSuppliers } from './useSuppliers.ts';

type Report = ResponseOf<'/v1/admin/reconciliation/{supplier}/{day}', 'get'>;
type BillSummary = ResponseOf<'/v1/admin/reconciliation/bills/{supplier}/{day}/fetch', 'post', 201>;
type Line = Report['lines'][number];
type Category = Line['category'];
const CATEGORIES: Category[] = ['matched', 'amount_differs', 'only_theirs', 'only_ours'];
const COLOR: Record<Category, string> = { matched: 'green', amount_differs: 'orange', only_theirs: 'red', only_ours: 'purple' };

/** A supplier's bill of a day against our records: fetch the bill through the adapter, see every mismatch. */
export function Reconciliation() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [supplier, setSupplier] = useState<string>();
  // bills are per China-time day; yesterday's is the one a supplier has finished
  const [day, setDay] = useState<Dayjs>(() => dayjs().tz(TIME_ZONE).subtract(1, 'day'));
  const [only, setOnly] = useState<Category>();
  const dayText = day.format('YYYY-MM-DD');
  const suppliers = useSuppliers();
  const key = ['reconciliation', supplier, dayText];
  const report = useQuery({
    queryKey: key,
    enabled: !!supplier,
    meta: { silent: true }, // "no bill for that day yet" is shown in place, not as an error
    queryFn: async () => unwrap(await api.GET('/v1/admin/reconciliation/{supplier}/{day}', { params: { path: { supplier: supplier!, day: dayText } } })),
  });
  const billDone = (b: BillSummary) => {
    message.success(t('suppliers.billFetched', { lines: b.lines }));
    void queryClient.invalidateQueries({ queryKey: key });
  };
  const fetchBill = useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/admin/reconciliation/bills/{supplier}/{day}/fetch', { params: { path: { supplier: supplier!, day: dayText } } })),
    onSuccess: billDone,
  });
  // a bill the supplier sent by other means (email, their portal): the CSV itself, in the supplier's format
  const uploadBill = useMutation({
    mutationFn: async (file: File) => {
      const res = await rawFetch(`/v1/admin/reconciliation/bills/${encodeURIComponent(supplier!)}/${dayText}`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
      const body: unknown = await res.json().catch(() => ({}));
      if (!res.ok) throw toApiError(res, body);
      return body as BillSummary;
    },
    onSuccess: billDone,
  });
  const exportCsv = async () => {
    // a plain link would not carry the console header the admin API asks for
    const res = await rawFetch(`/v1/admin/reconciliation/${encodeURIComponent(supplier!)}/${dayText}?format=csv`, {});
    if (!res.ok) throw toApiError(res, await res.json().catch(() => ({})));
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `reconciliation-${supplier}-${dayText}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };
  const r = report.data;
  const noBill = report.error instanceof ApiError && report.error.status === 404;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap>
        <Select
          id="recon-supplier"
          style={{ width: 240 }}
          placeholder={t('suppliers.chooseSupplier')}
          aria-label={t('suppliers.chooseSupplier')}
          value={supplier}
          onChange={setSupplier}
          loading={suppliers.isLoading}
          options={(suppliers.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        />
        <DatePicker id="recon-day" value={day} onChange={(d) => d && setDay(d)} allowClear={false} aria-label={t('suppliers.day')}
          // compared as China-time day strings: a zoned dayjs against the picker's local one is off by the offset
          disabledDate={(d) => d.format('YYYY-MM-DD') > dayjs().tz(TIME_ZONE).format('YYYY-MM-DD')} />
        <Can permission="reconciliation:write">
          <Space>
            <Button type="primary" icon={<CloudDownloadOutlined />} disabled={!supplier} loading={fetchBill.isPending} onClick={() => fetchBill.mutate()} id="recon-fetch">
              {t('suppliers.fetchBill')}
            </Button>
            <span data-testid="recon-upload">
              <Upload accept=".csv,text/csv" showUploadList={false} disabled={!supplier} beforeUpload={(file) => (uploadBill.mutate(file), false)}>
                <Button icon={<UploadOutlined />} disabled={!supplier} loading={uploadBill.isPending}>{t('suppliers.uploadBill')}</Button>
              </Upload>
            </span>
          </Space>
        </Can>
        <Button icon={<DownloadOutlined />} disabled={!r} onClick={() => void exportCsv().catch((e: Error) => message.error(e.message))}>
          {t('suppliers.exportCsv')}
        </Button>
      </Space>
      {!supplier && <Empty description={t('suppliers.chooseSupplierFirst')} />}
      {noBill && <Empty description={t('suppliers.noBill', { day: dayText })} />}
      {report.error && !noBill && <Typography.Text type="danger">{report.error.message}</Typography.Text>}
      {r && (
        <>
          <Typography.Text type="secondary">
            {t('suppliers.billInfo', { lines: r.bill.lines, source: t(r.bill.source === 'fetch' ? 'suppliers.sourceFetch' : 'suppliers.sourceUpload'), at: formatTime(r.bill.imported_at) })}
          </Typography.Text>
          <Row gutter={16}>
            {CATEGORIES.map((c) => (
              <Col span={6} key={c}>
                <Card size="small" hoverable onClick={() => setOnly(only === c ? undefined : c)} style={only === c ? { borderColor: COLOR[c] } : undefined} data-testid={`recon-${c}`}>
                  <Statistic title={t(`suppliers.category.${c}`)} value={r.totals[c].count} />
                  <Typography.Text type="secondary">
                    {t('suppliers.theirOurs', { theirs: fenToYuan(r.totals[c].their_fen), ours: fenToYuan(r.totals[c].our_fen) })}
                  </Typography.Text>
                </Card>
              </Col>
            ))}
          </Row>
          <Table<Line>
            size="small"
            rowKey={(l) => `${l.category}:${l.customer_order_no}:${l.bill_line ?? ''}`}
            dataSource={only ? r.lines.filter((l) => l.category === only) : r.lines}
            pagination={{ pageSize: 50 }}
            columns={[
              { title: t('suppliers.categoryTitle'), dataIndex: 'category', render: (c: Category) => <Tag color={COLOR[c]}>{t(`suppliers.category.${c}`)}</Tag> },
              { title: t('suppliers.customerOrderNo'), dataIndex: 'customer_order_no' },
              { title: t('suppliers.supplierOrderId'), dataIndex: 'supplier_order_id', render: (v: string | null) => v ?? '-' },
              { title: t('suppliers.ourState'), dataIndex: 'our_state', render: (v: string | null) => v ?? '-' },
              { title: t('suppliers.theirState'), dataIndex: 'their_state', render: (v: string | null) => v ?? '-' },
              { title: t('suppliers.theirAmount'), dataIndex: 'their_fen', align: 'right', render: (v: number) => fenToYuan(v) },
              { title: t('suppliers.ourAmount'), dataIndex: 'our_fen', align: 'right', render: (v: number) => fenToYuan(v) },
              { title: t('suppliers.difference'), dataIndex: 'difference_fen', align: 'right', render: (v: number) => <Typography.Text type={v === 0 ? undefined : 'danger'}>{fenToYuan(v)}</Typography.Text> },
            ]}
          />
        </>
      )}
    </Space>
  );
}
