import { QrcodeOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Modal, Space } from 'antd';
import { useEffect, useState } from 'react';
import { rawFetch, toApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';

/**
 * The QR code of a grant's redeem link, to print or hand to the recipient. Whoever scans it can claim the
 * grant, so the server asks for grants:qr and audits every render; the image lives only in this dialog.
 */
export function GrantQrButton({ id }: { id: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const png = useQuery({
    queryKey: ['grant-qr', id],
    enabled: open,
    gcTime: 0,
    staleTime: Infinity,
    queryFn: async () => {
      // not an <img src>: the admin API wants the console header, which an image request cannot send
      const res = await rawFetch(`/v1/admin/grants/${encodeURIComponent(id)}/qr?format=png`, { method: 'GET' });
      if (!res.ok) throw toApiError(res, await res.json().catch(() => undefined));
      return URL.createObjectURL(await res.blob());
    },
  });
  useEffect(() => () => { if (png.data) URL.revokeObjectURL(png.data); }, [png.data]);
  return (
    <>
      <Button icon={<QrcodeOutlined />} id="grant-qr" onClick={() => setOpen(true)}>{t('h5.qr')}</Button>
      <Modal open={open} title={t('h5.qrTitle')} onCancel={() => setOpen(false)} destroyOnHidden
        footer={<Space>{png.data && <Button type="primary" href={png.data} download={`${id}-qr.png`} id="grant-qr-download">{t('h5.qrDownload')}</Button>}<Button onClick={() => setOpen(false)}>{t('common.close')}</Button></Space>}>
        <Alert type="warning" showIcon message={t('h5.qrWarning')} style={{ marginBottom: 16 }} />
        {png.data && <img src={png.data} alt={t('h5.qrTitle')} data-testid="grant-qr-image" style={{ display: 'block', width: 280, margin: '0 auto' }} />}
      </Modal>
    </>
  );
}
