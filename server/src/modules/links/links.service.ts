import type { AppContext } from '../../platform/context.ts';
import { AppError, conflict, notFound, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { checkAgain, enqueue, type JobPolicy, type JobRun } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { listClients } from '../clients/index.ts';
import { grantIssuerFor, issueGrant, type IssuerInput } from '../grants/index.ts';
import { getBatch, insertBatch, moveBatch, recordItem, type LinkBatchRow } from './links.repo.ts';

// Link batches: N grants issued without recipients, handed out as links and QR codes. Issuing is a job in
// the bulk lane, a chunk per run (a run answers "check again now" until the batch is full), so a long batch
// never holds a worker past its lease and a restart resumes where the count stands. Each grant's business
// key is (batch, index) — its Idempotency-Key under the batch's client — so a grant issued just before a
// crash is replayed, not issued again. Card codes are claimed at issue as usual; a direct recharge waits
// for its account (the recipient gives it on the link).
export const LINK_ISSUE_JOB = 'links.issue';
export const LINK_ISSUE_POLICY: JobPolicy = { attempts: 5, backoffSeconds: [5, 30, 120], lane: 'bulk', retentionDays: 30, leaseSeconds: 120 };
/** grants issued per job run */
export const LINK_CHUNK = 200;
export const MAX_LINKS = 100_000;

export interface CreateBatchInput {
  client: string;
  product: string;
  count: number;
  label: string;
  expires_at?: string;
}

export async function createBatch(ctx: AppContext, input: CreateBatchInput, actor: string): Promise<LinkBatchRow> {
  const problems = [];
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_LINKS) problems.push({ field: 'count', message: `must be a whole number from 1 to ${MAX_LINKS}` });
  const label = input.label.trim();
  if (!label) problems.push({ field: 'label', message: 'must not be empty' });
  let expiresAt: Date | null = null;
  if (input.expires_at !== undefined) {
    expiresAt = new Date(input.expires_at);
    if (!(expiresAt.getTime() > Date.now())) problems.push({ field: 'expires_at', message: 'must be in the future' });
  }
  if (problems.length) throw validationFailed(problems);
  // by id, key id or name: an operator may not list clients (clients:read is admin's), so the console lets them type it
  const client = (await listClients(ctx.db)).find((c) => c.id === input.client || c.key_id === input.client || c.name === input.client);
  if (!client) throw notFound('Client', input.client);
  if (client.status !== 'active') throw conflict('client_inactive', `Client ${client.id} is ${client.status}.`);
  const product = await findProduct(ctx.db, input.product);
  if (!product) throw notFound('Product', input.product);
  if (product.status !== 'active') throw conflict('product_inactive', `Product ${input.product} is ${product.status}.`);

  const id = newId('lnb');
  const jobId = newId('job');
  await ctx.db.transaction().execute(async (tx) => {
    await insertBatch(tx, { id, client_id: client.id, product_id: product.id, label, count: input.count, expires_at: expiresAt, job_id: jobId, created_by: actor });
    await enqueue(tx, LINK_ISSUE_JOB, { batch_id: id }, { id: jobId, createdBy: actor, dedupeKey: id });
    await appendAudit(tx, { actor, action: 'link_batch.create', target: id, details: { client: client.id, product: product.id, count: input.count, label } });
  });
  return (await getBatch(ctx.db, id))!;
}

/** One chunk of a batch's grants per run; again at once while some are missing. */
export async function runIssueJob(run: JobRun) {
  const { ctx } = run;
  const id = String(run.payload.batch_id);
  const batch = await getBatch(ctx.db, id);
  if (!batch || batch.status !== 'issuing') return { batch_id: id, skipped: batch?.status ?? 'missing' };
  const product = await findProduct(ctx.db, batch.product_id);
  const issuer = product ? grantIssuerFor(product.kind) : undefined;
  const end = Math.min(batch.count, batch.issued + LINK_CHUNK);
  run.progress(batch.issued, batch.count);
  for (let idx = batch.issued; idx < end; idx++) {
    const input: IssuerInput = {
      clientId: batch.client_id,
      issuedBy: `link_batch:${id}`,
      body: {
        product: batch.product_id,
        recipient: {},
        ...(batch.expires_at ? { expires_at: batch.expires_at.toISOString() } : {}),
        metadata: { link_batch: id, index: idx + 1 },
      },
      idempotencyKey: `${id}:${idx}`,
      requestHash: ctx.secrets.requestHash(`link_batch:${id}:${idx}`),
    };
    let grant;
    try {
      grant = issuer ? (await issuer(ctx, input)).grant : (await issueGrant(ctx, input)).grant;
    } catch (e) {
      // out of stock, product withdrawn …: stop for good; what was issued stays valid and exportable
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      await ctx.db.transaction().execute(async (tx) => {
        await moveBatch(tx, id, 'fail', `${e.code}: ${e.detail ?? e.message}`.slice(0, 500));
        await appendAudit(tx, { actor: 'system', action: 'link_batch.failed', target: id, details: { issued: idx, count: batch.count, code: e.code } });
      });
      return { batch_id: id, issued: idx, failed: e.code };
    }
    await recordItem(ctx.db, { batchId: id, idx, grantId: grant.id, expiresAt: grant.expires_at ? new Date(grant.expires_at) : null });
    run.progress(idx + 1, batch.count);
  }
  if (end < batch.count) return checkAgain(0, `${end} of ${batch.count} issued`);
  await ctx.db.transaction().execute(async (tx) => {
    if (await moveBatch(tx, id, 'finish')) await appendAudit(tx, { actor: 'system', action: 'link_batch.ready', target: id, details: { count: batch.count } });
  });
  return { batch_id: id, issued: batch.count };
}
