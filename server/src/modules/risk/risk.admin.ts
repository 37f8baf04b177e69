import { sql } from 'kysely';
import type { AppContext } from '../../platform/context.ts';
import { conflict, notFound, validationFailed } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { normalisePhone } from '../../platform/phone.ts';
import { appendAudit } from '../audit/index.ts';
import { maskPhone } from './risk.assess.ts';
import { getRule, rdb, type BlacklistRow, type RuleRow } from './risk.repo.ts';
import { parseCidr, ruleProblems, type RuleInput } from './risk.rules.ts';

// What operators change: rules and blacklists. Each change is validated as a whole first (400, nothing
// written) and audited in the transaction that makes it.

export function ruleView(r: RuleRow) {
  return {
    id: r.id, scope_type: r.scope_type, scope_id: r.scope_id || null, name: r.name, kind: r.kind, action: r.action,
    dimension: r.dimension, max: r.max, window_seconds: r.window_seconds, review_above: r.review_above,
    fact: r.fact, op: r.op, value: r.value, status: r.status, created_by: r.created_by,
    created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString(),
  };
}

export function blacklistView(b: BlacklistRow) {
  return { id: b.id, kind: b.kind, value: b.shown, note: b.note, created_by: b.created_by, created_at: b.created_at.toISOString() };
}

const columns = (r: RuleInput) => ({
  scope_type: r.scope_type, scope_id: r.scope_type === 'global' ? '' : r.scope_id!, name: r.name, kind: r.kind, action: r.action,
  dimension: r.kind === 'limit' ? r.dimension! : null, max: r.kind === 'limit' ? r.max! : null,
  window_seconds: r.kind === 'limit' ? r.window_seconds! : null, review_above: r.kind === 'limit' ? (r.review_above ?? null) : null,
  fact: r.kind === 'threshold' ? r.fact! : null, op: r.kind === 'threshold' ? r.op! : null,
  value: r.kind === 'threshold' ? JSON.stringify(r.value) : null,
});

export async function createRule(ctx: AppContext, input: RuleInput, actor: string): Promise<RuleRow> {
  const problems = ruleProblems(input);
  if (problems.length) throw validationFailed(problems, 'The rule is not valid.');
  const id = newId('rsk');
  return ctx.db.transaction().execute(async (tx) => {
    const row = await rdb(tx).insertInto('risk_rules').values({ id, ...columns(input), created_by: actor }).returningAll().executeTakeFirstOrThrow();
    await appendAudit(tx, { actor, action: 'risk.rule.create', target: id, details: { ...columns(input) } });
    return row;
  });
}

/** Replaces a rule's definition and/or status; the merged rule is validated as a whole. */
export async function updateRule(ctx: AppContext, id: string, patch: Partial<RuleInput> & { status?: 'active' | 'disabled' }, actor: string): Promise<RuleRow> {
  const old = await getRule(ctx.db, id);
  if (!old) throw notFound('Rule', id);
  const { status, ...def } = patch;
  const merged: RuleInput = {
    scope_type: old.scope_type, scope_id: old.scope_id || undefined, name: old.name, kind: old.kind, action: old.action,
    ...(old.kind === 'limit'
      ? { dimension: old.dimension!, max: old.max!, window_seconds: old.window_seconds!, review_above: old.review_above }
      : { fact: old.fact!, op: old.op!, value: old.value as number | boolean }),
    ...def,
  };
  const problems = ruleProblems(merged);
  if (problems.length) throw validationFailed(problems, 'The rule is not valid.');
  return ctx.db.transaction().execute(async (tx) => {
    const row = await rdb(tx).updateTable('risk_rules').set({ ...columns(merged), ...(status ? { status } : {}), updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    await appendAudit(tx, { actor, action: 'risk.rule.update', target: id, details: { ...def, ...(status ? { status } : {}) } });
    return row;
  });
}

/** Adds an IP range (CIDR, v4 or v6, or one address) or a phone (kept as its fingerprint and a masked hint). */
export async function addBlacklist(ctx: AppContext, input: { kind: 'ip' | 'phone'; value: string; note?: string }, actor: string): Promise<BlacklistRow> {
  const id = newId('rbl');
  let values: { ip_range: ReturnType<typeof sql<string>> | null; phone_fp: Buffer | null; shown: string | ReturnType<typeof sql<string>> };
  if (input.kind === 'ip') {
    const c = parseCidr(input.value);
    if (!c) throw validationFailed([{ field: 'value', message: 'an IPv4 or IPv6 address or CIDR range (10.0.0.0/8, 2001:db8::/32)' }]);
    // network() clears host bits: 10.1.2.3/8 is stored and shown as 10.0.0.0/8
    const range = sql<string>`network(${`${c.address}/${c.prefix}`}::inet)`;
    values = { ip_range: range, phone_fp: null, shown: sql<string>`network(${`${c.address}/${c.prefix}`}::inet)::text` };
  } else {
    const phone = normalisePhone(input.value);
    if (!phone) throw validationFailed([{ field: 'value', message: 'not a phone number' }]);
    values = { ip_range: null, phone_fp: ctx.secrets.phoneFingerprint(phone), shown: maskPhone(phone) };
  }
  return ctx.db.transaction().execute(async (tx) => {
    const row = await rdb(tx)
      .insertInto('risk_blacklist')
      .values({ id, kind: input.kind, ...(values as { ip_range: string | null; phone_fp: Buffer | null; shown: string }), note: (input.note ?? '').slice(0, 500), created_by: actor })
      .onConflict((oc) => oc.doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw conflict('risk_blacklist_duplicate', `This ${input.kind === 'ip' ? 'range' : 'phone'} is on the blacklist already.`);
    await appendAudit(tx, { actor, action: 'risk.blacklist.add', target: id, details: { kind: row.kind, value: row.shown, note: row.note } });
    return row;
  });
}

export async function removeBlacklist(ctx: AppContext, id: string, actor: string): Promise<void> {
  await ctx.db.transaction().execute(async (tx) => {
    const row = await rdb(tx).deleteFrom('risk_blacklist').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) throw notFound('Blacklist entry', id);
    await appendAudit(tx, { actor, action: 'risk.blacklist.remove', target: id, details: { kind: row.kind, value: row.shown } });
  });
}
