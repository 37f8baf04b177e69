import type { JobRun } from '../../platform/jobs/jobs.ts';
import type { Harness, SignedClient } from '../../testutil/harness.ts';
import { runGenerateJob, downloadGeneration } from './redemption.generate.ts';
import { createSet, startGeneration, type SetCreate } from './redemption.service.ts';

// Test helpers of this module (tests only): a client, a stocked product, a set and its codes in one call.

/** Runs a job handler inline, as the runner would on its last attempt. */
export function inlineRun(h: Harness, kind: string, payload: Record<string, unknown>): JobRun {
  return { id: 'job_inline', kind, payload, attempt: 1, lastAttempt: true, ctx: h.ctx, progress: () => {}, endSteps: () => [] } as unknown as JobRun;
}

/** Generates `n` codes for a set in this process and takes the one-time list. */
export async function makeCodes(h: Harness, setId: string, n: number, opts: { prefix?: string; length?: number } = {}): Promise<string[]> {
  const g = await startGeneration(h.ctx, setId, { count: n, ...opts }, 'usr_test', { inline: true });
  await runGenerateJob(inlineRun(h, 'redemption.generate', { generation_id: g.id }));
  return (await downloadGeneration(h.ctx, g.id, 'usr_test')).codes;
}

export interface Campaign {
  client: SignedClient;
  productSku: string;
  productId: string;
  setId: string;
  codes: string[];
}

/** A client, a product with `stock` codes, a set of `codes` codes (settings in `set`). */
export async function campaign(h: Harness, opts: { stock: number; codes: number; set?: Partial<SetCreate> }): Promise<Campaign> {
  const client = await h.client();
  const product = await h.product();
  if (opts.stock) await h.stock(product.id, opts.stock);
  const set = await createSet(h.ctx, { name: 'test set', client_id: client.id, product: product.id, ends_at: new Date(Date.now() + 86_400_000).toISOString(), ...opts.set }, 'usr_test');
  const codes = opts.codes ? await makeCodes(h, set.id, opts.codes) : [];
  return { client, productSku: product.sku, productId: product.id, setId: set.id, codes };
}
