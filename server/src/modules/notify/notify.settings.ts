import type { AppContext } from '../../platform/context.ts';
import { productSettings } from './notify.repo.ts';

/** A product's notification settings (defaults when none are stored): send codes in messages, renewal URL. */
export async function productNotifySettings(ctx: AppContext, productId: string): Promise<{ send_codes: boolean; renewal_url: string | null }> {
  const s = await productSettings(ctx.db, productId);
  return { send_codes: s?.send_codes ?? false, renewal_url: s?.renewal_url ?? null };
}
