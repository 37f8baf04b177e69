import { ProTable, type ActionType } from '@ant-design/pro-components';
import { Drawer, Typography } from 'antd';
import { useRef } from 'react';
import { api, unwrap } from '../../api/client.ts';
import type { QueryOf } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { useCursorRequest } from '../../lib/cursor.ts';
import { AttemptLog, useDeliveryColumns, useResend, type Delivery } from './deliveries.tsx';
import type { Endpoint } from './EndpointsTable.tsx';

/** The delivery log of one endpoint, newest first, each with its attempts; re-send one to this endpoint. */
export function EndpointDeliveries({ endpoint, onClose }: { endpoint: Endpoint | undefined; onClose(): void }) {
  const { t } = useI18n();
  const table = useRef<ActionType>(null);
  const resend = useResend(() => table.current?.reload());
  const columns = useDeliveryColumns((d) => resend.mutate({ eventId: d.event_id, endpointId: d.endpoint_id }), { showEvent: true });
  const request = useCursorRequest<Delivery, QueryOf<'/v1/admin/webhooks/endpoints/{id}/deliveries', 'get'>>(async (query) =>
    unwrap(await api.GET('/v1/admin/webhooks/endpoints/{id}/deliveries', { params: { path: { id: endpoint!.id }, query } })),
  );
  return (
    <Drawer open={!!endpoint} onClose={onClose} width={1100} title={t('webhooks.deliveryLog')} destroyOnHidden>
      {endpoint && (
        <>
          <Typography.Paragraph>
            <Typography.Text code>{endpoint.url}</Typography.Text>
          </Typography.Paragraph>
          <ProTable<Delivery>
            rowKey="id"
            actionRef={table}
            columns={columns}
            request={request}
            search={false}
            pagination={{ defaultPageSize: 20 }}
            options={{ reload: true, density: false, setting: false }}
            expandable={{ expandedRowRender: (d) => <AttemptLog delivery={d} /> }}
          />
        </>
      )}
    </Drawer>
  );
}
