import type { AppContext } from '../../platform/context.ts';
import { fail, notFound, validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { appendAudit } from '../audit/index.ts';
import { findProduct } from '../catalog/index.ts';
import { clientNames } from '../clients/index.ts';
import { checkCode, hintOf, MAX_RANDOM, MIN_RANDOM, validPrefix } from './redemption.code.ts';
import { redemptionGenerationMachine, type SetAdminEvent } from './redemption.machine.ts';
import { getGeneration, getSet, insertCodes, moveGeneration, moveSet, type GenerationRow, type SetRow } from './redemption.repo.ts';

// Code sets (campaigns of codes), generation and import. Each change is audited here, in its transaction.
export const GENERATE_JOB = 'redemption.generate';
/** the plaintext list of a generation is kept (sealed) this long, or until its first download */
export const PLAINTEXT_TTL_MS = 24 * 3_600_000;
export const MAX_GENERATE = 100_000;
export const MAX_IMPORT_ROWS = 10_000;

export interface SetCreate {
  name: string;
  client_id: string;
  product: string;
  max_redemptions?: number;
  per_user_limit?: number;
  starts_at?: string;
  ends_at: string;
}

export function setView(s: SetRow) {
  return {
    id: s.id,
    name: s.name,
    client_id: s.client_id,
    product_id: s.product_id,
    max_redemptions: s.max_redemptions,
    per_user_limit: s.per_user_limit,
    starts_at: s.starts_at.toISOString(),
    ends_at: s.ends_at.toISOString(),
    status: s.status,
    code_count: Number(s.code_count),
    created_by: s.created_by,
    created_at: s.created_at.toISOString(),
  };
}

export async function createSet(ctx: AppContext, input: SetCreate, actor: string) {
  const problems: FieldProblem[] = [];
  const startsAt = input.starts_at ? new Date(input.starts_at) : new Date();
  const endsAt = new Date(input.ends_at);
  if (Number.isNaN(startsAt.getTime())) problems.push({ field: 'starts_at', message: 'must be a date-time' });
  if (Number.isNaN(endsAt.getTime()) || !(endsAt > startsAt)) problems.push({ field: 'ends_at', message: 'must be a date-time after starts_at' });
  else if (endsAt.getTime() <= Date.now()) problems.push({ field: 'ends_at', message: 'must be in the future' });
  const product = await findProduct(ctx.db, input.product);
  if (!product) problems.push({ field: 'product', message: `no product with sku or id ${input.product}` });
  else if (product.status !== 'active') problems.push({ field: 'product', message: `product is ${product.status}` });
  if (!(await clientNames(ctx.db, [input.client_id])).has(input.client_id)) problems.push({ field: 'client_id', message: 'no such client' });
  if (problems.length) throw validationFailed(problems);
  const id = newId('rcs');
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('redemption_sets')
      .values({ id, name: input.name, client_id: input.client_id, product_id: product!.id, max_redemptions: input.max_redemptions ?? 1, per_user_limit: input.per_user_limit ?? 1, starts_at: startsAt, ends_at: endsAt, created_by: actor })
      .execute();
    await appendAudit(tx, { actor, action: 'redemption_set.create', target: id, details: { name: input.name, client_id: input.client_id, product: product!.id, max_redemptions: input.max_redemptions ?? 1, per_user_limit: input.per_user_limit ?? 1 } });
  });
  return setView((await getSet(ctx.db, id))!);
}

export async function requireSet(ctx: AppContext, id: string): Promise<SetRow> {
  const s = await getSet(ctx.db, id);
  if (!s) throw notFound('Redemption code set', id);
  return s;
}

/** pause / resume / void, through the set machine; a move the status does not allow is 409. */
export async function changeSet(ctx: AppContext, id: string, event: SetAdminEvent, actor: string) {
  const set = await requireSet(ctx, id);
  await ctx.db.transaction().execute(async (tx) => {
    if (!(await moveSet(tx, id, event))) throw fail('redemption_set_state', `Set ${id} is ${set.status}; it cannot ${event}.`);
    await appendAudit(tx, { actor, action: `redemption_set.${event}`, target: id, details: { from: set.status } });
  });
  return setView((await getSet(ctx.db, id))!);
}

export function generationView(g: GenerationRow, progress?: number) {
  const downloadable = redemptionGenerationMachine.can(g.status, 'download') && g.expires_at.getTime() > Date.now();
  return {
    id: g.id,
    set_id: g.set_id,
    count: g.count,
    length: g.length,
    prefix: g.prefix,
    format: g.format,
    status: g.status,
    job_id: g.job_id,
    generated: Math.max(Number(g.generated), progress ?? 0),
    error: g.error,
    created_at: g.created_at.toISOString(),
    finished_at: g.finished_at?.toISOString() ?? null,
    downloaded_at: g.downloaded_at?.toISOString() ?? null,
    expires_at: g.expires_at.toISOString(),
    download_url: downloadable && g.status !== 'queued' ? `/v1/admin/redemption-generations/${g.id}/download` : null,
  };
}

/**
 * Starts generating `count` codes (a job in the bulk lane, with progress); the list is downloadable once.
 * `inline`: the caller (the CLI) runs the generation itself, so no job is queued.
 */
export async function startGeneration(ctx: AppContext, setId: string, input: { count: number; length?: number; prefix?: string; format?: 'csv' | 'xlsx' }, actor: string, opts: { inline?: boolean } = {}) {
  const set = await requireSet(ctx, setId);
  const length = input.length ?? 12;
  const prefix = (input.prefix ?? '').toUpperCase();
  const problems: FieldProblem[] = [];
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_GENERATE) problems.push({ field: 'count', message: `must be 1–${MAX_GENERATE}` });
  if (!Number.isInteger(length) || length < MIN_RANDOM || length > MAX_RANDOM) problems.push({ field: 'length', message: `must be ${MIN_RANDOM}–${MAX_RANDOM}` });
  if (!validPrefix(prefix)) problems.push({ field: 'prefix', message: 'at most 8 characters of 23456789ABCDEFGHJKMNPQRSTUVWXYZ' });
  if (problems.length) throw validationFailed(problems);
  if (set.status === 'voided') throw fail('redemption_set_state', `Set ${setId} is voided.`);
  const id = newId('rcg');
  const jobId = opts.inline ? 'inline' : newId('job');
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('redemption_generations')
      .values({ id, set_id: setId, count: input.count, length, prefix, format: input.format ?? 'csv', job_id: jobId, created_by: actor, expires_at: new Date(Date.now() + PLAINTEXT_TTL_MS) })
      .execute();
    if (!opts.inline) await enqueue(tx, GENERATE_JOB, { generation_id: id }, { id: jobId, createdBy: actor });
    await appendAudit(tx, { actor, action: 'redemption.generate', target: id, details: { set_id: setId, count: input.count, length, prefix } });
  });
  return generationView((await getGeneration(ctx.db, id))!);
}

export interface ImportResult {
  imported: number;
  rejected: { row: number; reason: 'length' | 'charset' | 'check' | 'duplicate_in_file' | 'exists' }[];
}

/**
 * Imports codes (one per line, or a CSV whose first column is the code; a header row `code` is skipped).
 * Every code must have the code alphabet and a valid check character (so typos are caught before lookups for
 * imported codes too); rejected rows are reported and the rest is imported. The operator has the plaintext
 * already: no list is kept.
 */
export async function importCodes(ctx: AppContext, setId: string, content: string, actor: string): Promise<ImportResult> {
  const set = await requireSet(ctx, setId);
  if (set.status === 'voided') throw fail('redemption_set_state', `Set ${setId} is voided.`);
  const lines = content.split(/\r?\n/);
  const rejected: ImportResult['rejected'] = [];
  const seen = new Map<string, number>();
  const rows: { fingerprint: Buffer; hint: string; row: number }[] = [];
  lines.forEach((line, i) => {
    const cell = line.split(',')[0].replace(/^"|"$/g, '').trim();
    if (!cell || (i === 0 && /^code$/i.test(cell))) return;
    const c = checkCode(cell);
    if (!c.ok) return rejected.push({ row: i + 1, reason: c.reason });
    if (seen.has(c.code)) return rejected.push({ row: i + 1, reason: 'duplicate_in_file' });
    seen.set(c.code, i + 1);
    rows.push({ fingerprint: ctx.secrets.redemptionFingerprint(c.code), hint: hintOf(c.code, ''), row: i + 1 });
  });
  if (rows.length + rejected.length > MAX_IMPORT_ROWS) throw validationFailed([{ field: 'content', message: `at most ${MAX_IMPORT_ROWS} rows per import` }]);
  if (!rows.length && !rejected.length) throw fail('empty_file');
  let imported = 0;
  await ctx.db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const part = rows.slice(i, i + 1000);
      const landed = await insertCodes(tx, setId, 'imported', set.max_redemptions, part);
      imported += landed.size;
      for (const r of part) if (!landed.has(r.fingerprint.toString('hex'))) rejected.push({ row: r.row, reason: 'exists' });
    }
    await appendAudit(tx, { actor, action: 'redemption.import', target: setId, details: { imported, rejected: rejected.length } });
  });
  rejected.sort((a, b) => a.row - b.row);
  return { imported, rejected };
}
