import { useI18n } from '../../i18n/index.tsx';

export interface PreviewBrand {
  name?: string;
  primary_color?: string;
  text_color?: string;
  logo_url?: string | null;
  service_phone?: string | null;
  service_wechat?: string | null;
  service_url?: string | null;
  footer?: string | null;
}

const HEX = /^#[0-9a-fA-F]{6}$/;

/**
 * A phone-sized (375 × 667) sketch of the redeem page in this brand, redrawn as the form changes. It mirrors
 * the H5 shell's layout (server/src/modules/h5/shell.ts) closely enough to judge colours and contrast; the
 * real page is the reference. The page text is zh-CN, as recipients see it.
 */
export function BrandPreview({ brand }: { brand: PreviewBrand }) {
  const { t } = useI18n();
  const primary = brand.primary_color && HEX.test(brand.primary_color) ? brand.primary_color : '#1664ff';
  const text = brand.text_color && HEX.test(brand.text_color) ? brand.text_color : '#ffffff';
  const contact = [brand.service_phone && `客服电话 ${brand.service_phone}`, brand.service_wechat && `客服微信 ${brand.service_wechat}`, brand.service_url && '在线客服'].filter(Boolean).join(' · ');
  const card = { background: '#fff', borderRadius: 12, padding: 14, marginBottom: 10, boxShadow: '0 1px 3px rgba(0,0,0,.06)' };
  return (
    <div aria-label={t('h5.preview')} data-testid="brand-preview" style={{ width: 375, height: 667, border: '10px solid #1f2329', borderRadius: 36, overflow: 'hidden', background: '#f4f5f7', fontSize: 14, lineHeight: 1.5, color: '#1f2329', fontFamily: '-apple-system,"PingFang SC","Microsoft YaHei",sans-serif' }}>
      <div data-testid="preview-top" style={{ background: primary, color: text, padding: '12px 14px', display: 'flex', alignItems: 'center' }}>
        {brand.logo_url && <img src={brand.logo_url} alt="" style={{ height: 26, maxWidth: 110, marginRight: 8, borderRadius: 4, background: '#fff' }} />}
        <b>{brand.name || '权益中心'}</b>
      </div>
      <div style={{ padding: 12 }}>
        <div style={card}>
          <div style={{ fontSize: 18, fontWeight: 600 }}>腾讯视频VIP 1个月</div>
          <div style={{ color: '#646a73' }}>1个月 · 单次有效期</div>
        </div>
        <div style={card}>
          <b>如何在腾讯视频使用</b>
          <ol style={{ margin: 0, paddingLeft: 18 }}><li>打开腾讯视频 App</li><li>点击「兑换VIP」</li><li>输入卡密</li></ol>
        </div>
        <div style={{ ...card, background: '#fff7e6', border: '1px solid #ffd591', color: '#874d00' }}>
          <b>首次查看即视为领取</b>
        </div>
        <div style={{ background: primary, color: text, borderRadius: 10, padding: 12, textAlign: 'center', fontSize: 16 }}>立即领取</div>
      </div>
      <div style={{ color: '#8f959e', fontSize: 12, textAlign: 'center', padding: '4px 12px' }}>
        {contact && <div>如有问题请联系 {contact}</div>}
        {brand.footer && <div>{brand.footer}</div>}
      </div>
    </div>
  );
}
