import { DownloadOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Drawer, Table, Typography } from 'antd';
import { api, unwrap } from '../../api/client.ts';
import type { ResponseOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { fenToYuan } from '../../lib/money.ts';
import { formatTime } from '../../lib/time.ts';

type Detail = ResponseOf<'/v1/admin/batches/{id}', 'get'>;
type Rejection = Detail['report']['rejected'][number];

/** RFC 4180 CSV of the rejected rows, so the operator can fix them and import again. */
export function rejectsCsv(rows: Rejection[]): string {
  const cell = (v: string | number) => {
    const s = String(v);
    // a leading = + - @ would run as a formula in Excel (CSV injection): quote it behind an apostrophe
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return ['line,reason', ...rows.map((r) => `${cell(r.line)},${cell(r.reason)}`)].join('\r\n') + '\r\n';
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob(['\ufeff' + text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

export function BatchDetail({ id, onClose }: { id: string | undefined; onClose(): void }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['batch', id], enabled: !!id, queryFn: async () => unwrap(await api.GET('/v1/admin/batches/{id}', { params: { path: { id: id! } } })) });
  const b = q.data;
  return (
    <Drawer open={!!id} onClose={onClose} width={720} title={t('stock.detail')} loading={q.isLoading}>
      {b && (
        <>
          <Descriptions column={2} size="small" bordered>
            <Descriptions.Item label={t('stock.batchId')}>{b.id}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}>{t(`stock.batchStatus.${b.status}`)}</Descriptions.Item>
            <Descriptions.Item label={t('stock.sourceName')}>{b.source_name ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('stock.supplier')}>{b.supplier ?? '-'}</Descriptions.Item>
            <Descriptions.Item label={t('stock.unitCost')}>{b.unit_cost === null ? '-' : fenToYuan(b.unit_cost)}</Descriptions.Item>
            <Descriptions.Item label={t('stock.codeExpiresAt')}>{formatTime(b.code_expires_at)}</Descriptions.Item>
            <Descriptions.Item label={t('stock.imported')}>{b.imported_count}</Descriptions.Item>
            <Descriptions.Item label={t('stock.rejected')}>{b.rejected_count}</Descriptions.Item>
            <Descriptions.Item label={t('stock.available')}>{b.codes.available}</Descriptions.Item>
            <Descriptions.Item label={t('stock.delivered')}>{b.codes.delivered}</Descriptions.Item>
            <Descriptions.Item label={t('stock.voided')}>{b.codes.voided}</Descriptions.Item>
            <Descriptions.Item label={t('common.createdAt')}>{formatTime(b.created_at)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 24 }}>
            {t('stock.report')}
          </Typography.Title>
          {b.report.rejected_truncated && <Alert type="warning" message={t('stock.rejectsTruncated')} style={{ marginBottom: 8 }} />}
          {b.report.rejected.length === 0 ? (
            <Typography.Text type="secondary">{t('stock.noRejects')}</Typography.Text>
          ) : (
            <>
              <Button icon={<DownloadOutlined />} onClick={() => download(`${b.id}-rejected.csv`, rejectsCsv(b.report.rejected))} style={{ marginBottom: 8 }}>
                {t('stock.downloadRejects')}
              </Button>
              <Table<Rejection>
                size="small"
                rowKey="line"
                dataSource={b.report.rejected}
                pagination={{ pageSize: 20 }}
                columns={[
                  { title: t('stock.line'), dataIndex: 'line', width: 90 },
                  { title: t('stock.reason'), dataIndex: 'reason' },
                ]}
              />
            </>
          )}
        </>
      )}
    </Drawer>
  );
}
