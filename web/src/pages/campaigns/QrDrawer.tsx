import { useQuery } from '@tanstack/react-query';
import { Button, Drawer, Space, Typography } from 'antd';
import { rawFetch, toApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import type { Campaign } from './CampaignForm.tsx';

// The link and its QR code. Fetched, not an <img src>: admin requests must carry the console header (the
// server's CSRF defence), which an image request cannot send.
async function blobOf(url: string): Promise<string> {
  const res = await rawFetch(url, { method: 'GET' });
  if (!res.ok) throw toApiError(res, await res.json().catch(() => undefined));
  return URL.createObjectURL(await res.blob());
}

export function QrDrawer({ campaign, onClose }: { campaign?: Campaign; onClose(): void }) {
  const { t } = useI18n();
  const svg = useQuery({ queryKey: ['campaign-qr', campaign?.id], queryFn: () => blobOf(campaign!.qr_svg_url), enabled: Boolean(campaign), staleTime: Infinity });
  const downloadPng = async () => {
    const href = await blobOf(`${campaign!.qr_png_url}?size=1024`);
    const a = document.createElement('a');
    a.href = href;
    a.download = `campaign-${campaign!.slug}.png`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(href), 0);
  };
  return (
    <Drawer open={Boolean(campaign)} onClose={onClose} title={campaign ? t('campaigns.linkOf', { name: campaign.name }) : ''} width={420} destroyOnHidden>
      {campaign && (
        <Space direction="vertical" size="large" style={{ width: '100%' }}>
          <Typography.Paragraph copyable={{ text: campaign.public_url }} data-testid="campaign-link">
            <Typography.Link href={campaign.public_url} target="_blank" rel="noreferrer">{campaign.public_url}</Typography.Link>
          </Typography.Paragraph>
          {svg.data && <img src={svg.data} alt={t('campaigns.qrAlt')} width={320} height={320} data-testid="campaign-qr" />}
          <Button onClick={() => void downloadPng()}>{t('campaigns.downloadPng')}</Button>
        </Space>
      )}
    </Drawer>
  );
}
