import { Drawer } from 'antd';
import { useI18n } from '../../i18n/index.tsx';
import { EndpointsTable } from '../webhooks/EndpointsTable.tsx';

/** A client's webhook endpoints and, from each, its delivery log with re-send. */
export function ClientEndpoints({ client, onClose }: { client: { id: string; name: string } | undefined; onClose(): void }) {
  const { t } = useI18n();
  return (
    <Drawer open={!!client} onClose={onClose} width={960} title={client ? t('clients.endpointsOf', { name: client.name }) : ''} destroyOnHidden>
      {client && <EndpointsTable clientId={client.id} />}
    </Drawer>
  );
}
