import type { AppContext } from '../../platform/context.ts';
import { AppError, fail } from '../../platform/errors.ts';
import type { JobPolicy, JobRun } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { formatCode, generateCode, hintOf } from './redemption.code.ts';
import { appendChunk, chunksOf, deleteChunks, dueForPurge, getGeneration, getSet, insertCodes, lastChunkSeq, moveGeneration, type GenerationRow } from './redemption.repo.ts';

// The generation job and the one-time download. Codes are written in batches; each batch's fingerprints and
// its sealed plaintext chunk land in one transaction, so a retried job resumes after the last chunk and never
// holds a code whose plaintext was lost. The plaintext is sealed with the server's PII key (AES-256-GCM, key
// wrapped by the master keyring) under a context naming the generation and chunk.
export const GENERATE_JOB_POLICY: JobPolicy = { attempts: 3, backoffSeconds: [10, 60], lane: 'bulk', retentionDays: 30, leaseSeconds: 600 };
export const GENERATE_BATCH = 1000;

const chunkContext = (id: string, seq: number) => `redemption-generation:${id}:${seq}`;

/** One batch: `n` new codes, drawn again on a fingerprint collision, stored with their sealed chunk. */
async function writeBatch(ctx: AppContext, g: GenerationRow, maxRedemptions: number, seq: number, n: number): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const plain: string[] = [];
    let tries = 0;
    while (plain.length < n) {
      if (++tries > 20) throw new Error('too many fingerprint collisions: use longer codes');
      const fresh = new Map<string, string>();
      while (fresh.size < n - plain.length) {
        const code = generateCode(g.prefix, g.length);
        fresh.set(ctx.secrets.redemptionFingerprint(code).toString('hex'), code);
      }
      const landed = await insertCodes(tx, g.set_id, 'generated', maxRedemptions, [...fresh].map(([fp, code]) => ({ fingerprint: Buffer.from(fp, 'hex'), hint: hintOf(code, g.prefix) })));
      for (const [fp, code] of fresh) if (landed.has(fp)) plain.push(code);
    }
    await appendChunk(tx, g.id, seq, ctx.secrets.sealPii(plain.map(formatCode).join('\n'), chunkContext(g.id, seq)));
    await tx.updateTable('redemption_generations').set((eb) => ({ generated: eb('generated', '+', n) })).where('id', '=', g.id).execute();
  });
}

export async function runGenerateJob(run: JobRun): Promise<Record<string, unknown>> {
  const { ctx } = run;
  const id = String(run.payload.generation_id);
  const g = await getGeneration(ctx.db, id);
  if (!g || !['queued', 'running'].includes(g.status)) return { generation_id: id, skipped: g?.status ?? 'missing' };
  const set = await getSet(ctx.db, g.set_id);
  await moveGeneration(ctx.db, id, 'start');
  let seq = (await lastChunkSeq(ctx.db, id)) + 1;
  let done = Number(g.generated);
  run.progress(done, g.count);
  try {
    while (done < g.count) {
      const n = Math.min(GENERATE_BATCH, g.count - done);
      await writeBatch(ctx, g, set!.max_redemptions, seq++, n);
      done += n;
      run.progress(done, g.count);
    }
    await ctx.db.transaction().execute(async (tx) => {
      await moveGeneration(tx, id, 'finish');
      await appendAudit(tx, { actor: 'system', action: 'redemption.generate.complete', target: id, details: { set_id: g.set_id, count: done } });
    });
    return { generation_id: id, generated: done };
  } catch (err) {
    if ((err instanceof AppError && err.status < 500) || run.lastAttempt) {
      // the codes written so far are claimable: their list stays downloadable
      await moveGeneration(ctx.db, id, 'fail', { error: (err as Error).message.slice(0, 500) });
    }
    throw err;
  }
}

/**
 * The plaintext list, once: the move to `downloaded` is the guard (two downloads at once: one wins), the
 * chunks are read and deleted in the same transaction, and the download is audited. Later: 410.
 */
export async function downloadGeneration(ctx: AppContext, id: string, actor: string): Promise<{ generation: GenerationRow; codes: string[] }> {
  return ctx.db.transaction().execute(async (tx) => {
    const g = await tx.selectFrom('redemption_generations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (!g) throw fail('not_found', `Redemption code generation ${id} does not exist.`);
    if (g.status === 'queued' || g.status === 'running') throw fail('redemption_export_not_ready', `Generation ${id} is ${g.status}.`);
    if (g.expires_at.getTime() <= Date.now() || !(await moveGeneration(tx, id, 'download'))) {
      throw fail('redemption_export_gone', `The code list of ${id} was downloaded already or has expired; it is shown once.`);
    }
    const codes: string[] = [];
    for (const c of await chunksOf(tx, id)) {
      const text = ctx.secrets.openPii(Buffer.from(c.sealed), chunkContext(id, c.seq));
      if (text) codes.push(...text.split('\n'));
    }
    await deleteChunks(tx, id);
    await appendAudit(tx, { actor, action: 'redemption.export.download', target: id, details: { set_id: g.set_id, codes: codes.length, format: g.format } });
    return { generation: g, codes };
  });
}

export async function codeListFile(format: 'csv' | 'xlsx', codes: string[]): Promise<Buffer> {
  if (format === 'csv') return Buffer.from('code\n' + codes.join('\n') + (codes.length ? '\n' : ''), 'utf8');
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  const ws = wb.addWorksheet('codes');
  ws.addRow(['code']);
  for (const c of codes) ws.addRow([c]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Purges plaintext lists past their 24 h (downloaded or not), in bounded batches. */
export async function purgeGenerations(ctx: AppContext, limit = 100): Promise<number> {
  const ids = await dueForPurge(ctx.db, limit);
  for (const id of ids) {
    await ctx.db.transaction().execute(async (tx) => {
      await deleteChunks(tx, id);
      if (await moveGeneration(tx, id, 'purge')) await appendAudit(tx, { actor: 'system', action: 'redemption.export.purge', target: id, details: {} });
    });
  }
  return ids.length;
}
