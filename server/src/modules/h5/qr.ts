import QRCode from 'qrcode';
import { fail } from '../../platform/errors.ts';

// QR codes of our public links (issue 7 §2), with the `qrcode` package. Error correction M (15%): survives a
// smudged print and keeps a ~100-character redeem link at a size phones read from a screen.
export type QrFormat = 'png' | 'svg';

const OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 2 };

export async function qrImage(url: string, format: QrFormat): Promise<{ body: Buffer | string; type: string }> {
  if (format === 'svg') return { body: await QRCode.toString(url, { ...OPTIONS, type: 'svg' }), type: 'image/svg+xml' };
  return { body: await QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: 360 }), type: 'image/png' };
}

/**
 * The URL, if it is one of ours: same origin as PUBLIC_URL and under its path. Anything else is refused, so
 * the endpoint cannot be used to brand a phishing link with our QR codes.
 */
export function ourPublicUrl(publicUrl: string, candidate: string): string {
  let u: URL;
  let base: URL;
  try {
    u = new URL(candidate);
    base = new URL(publicUrl);
  } catch {
    throw fail('qr_url_not_ours', 'The url is not an absolute URL under this server\'s PUBLIC_URL.');
  }
  const basePath = base.pathname.endsWith('/') ? base.pathname : base.pathname + '/';
  if (u.origin !== base.origin || !(u.pathname + '/').startsWith(basePath) || u.username || u.password || candidate.length > 2000) {
    throw fail('qr_url_not_ours', `QR codes are made only for links under ${base.origin}${base.pathname === '/' ? '' : base.pathname}.`);
  }
  return u.toString();
}
