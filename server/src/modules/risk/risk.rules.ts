import { isIP } from 'node:net';
import type { FieldProblem } from '../../platform/errors.ts';
import type { RiskDimension, RiskScopeType } from '../../platform/db/schema.ts';

// What a rule may say, checked before anything is written (a bad rule is a 400 with errors[] and changes
// nothing). The facts are the ones a client system may pass in `facts` with a claim; a rule naming any other
// fact is refused, so a typo cannot create a rule that silently never matches.

/** Facts a caller may pass to assessClaim (`facts`), and their types. */
export const FACTS = {
  phone_verified: { type: 'boolean', description: 'the phone was verified by SMS (our H5 pages or the client system)' },
  real_name_verified: { type: 'boolean', description: 'the client system verified the user\'s real name' },
  account_age_days: { type: 'integer', description: 'days since the user\'s account was created at the client system' },
  order_count: { type: 'integer', description: 'orders the user placed at the client system' },
} as const;
export type FactName = keyof typeof FACTS;
export type Facts = Partial<Record<FactName, number | boolean>>;

export const DIMENSIONS: readonly RiskDimension[] = ['ip', 'device', 'phone', 'external_id'];
export const SCOPE_TYPES: readonly RiskScopeType[] = ['global', 'product', 'campaign', 'client'];
/** the longest window: a year (366 days) */
export const MAX_WINDOW_SECONDS = 31_622_400;

export interface RuleInput {
  scope_type: RiskScopeType;
  scope_id?: string;
  name: string;
  kind: 'limit' | 'threshold';
  action: 'deny' | 'review';
  dimension?: RiskDimension;
  max?: number;
  window_seconds?: number;
  review_above?: number | null;
  fact?: string;
  op?: 'eq' | 'gte' | 'lte';
  value?: number | boolean;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The problems of a rule as a whole (after TypeBox checked each field's type); empty when it is valid. */
export function ruleProblems(r: RuleInput): FieldProblem[] {
  const p: FieldProblem[] = [];
  if ((r.scope_type === 'global') !== !r.scope_id) p.push({ field: 'scope_id', message: r.scope_type === 'global' ? 'a global rule has no scope_id' : `a ${r.scope_type} rule needs the ${r.scope_type} id` });
  if (r.kind === 'limit') {
    if (!r.dimension || !DIMENSIONS.includes(r.dimension)) p.push({ field: 'dimension', message: `one of ${DIMENSIONS.join(', ')}` });
    if (!isInt(r.max) || r.max < 1) p.push({ field: 'max', message: 'an integer ≥ 1' });
    if (!isInt(r.window_seconds) || r.window_seconds < 1 || r.window_seconds > MAX_WINDOW_SECONDS) p.push({ field: 'window_seconds', message: `an integer from 1 to ${MAX_WINDOW_SECONDS}` });
    if (r.review_above != null && (!isInt(r.review_above) || r.review_above < 0 || (isInt(r.max) && r.review_above >= r.max))) p.push({ field: 'review_above', message: 'an integer ≥ 0 and below max' });
    for (const f of ['fact', 'op', 'value'] as const) if (r[f] !== undefined) p.push({ field: f, message: 'only for kind threshold' });
  } else {
    const fact = FACTS[r.fact as FactName];
    if (!fact) p.push({ field: 'fact', message: `unknown fact; one of ${Object.keys(FACTS).join(', ')}` });
    else if (fact.type === 'boolean') {
      if (r.op !== 'eq') p.push({ field: 'op', message: 'a boolean fact takes op eq' });
      if (typeof r.value !== 'boolean') p.push({ field: 'value', message: 'true or false' });
    } else {
      if (!r.op || !['eq', 'gte', 'lte'].includes(r.op)) p.push({ field: 'op', message: 'one of eq, gte, lte' });
      if (!isInt(r.value) || r.value < 0) p.push({ field: 'value', message: 'an integer ≥ 0' });
    }
    for (const f of ['dimension', 'max', 'window_seconds', 'review_above'] as const) if (r[f] != null) p.push({ field: f, message: 'only for kind limit' });
  }
  return p;
}

/** The problems of the facts a caller passed (unknown names, wrong types). */
export function factProblems(facts: Record<string, unknown>): FieldProblem[] {
  const p: FieldProblem[] = [];
  for (const [name, v] of Object.entries(facts)) {
    const f = FACTS[name as FactName];
    if (!f) p.push({ field: `facts.${name}`, message: 'unknown fact' });
    else if (f.type === 'boolean' ? typeof v !== 'boolean' : !isInt(v)) p.push({ field: `facts.${name}`, message: `a${f.type === 'integer' ? 'n' : ''} ${f.type}` });
  }
  return p;
}

/** Whether `facts` satisfy a threshold; a fact the caller did not pass does not satisfy it. */
export function meetsThreshold(facts: Facts, fact: string, op: 'eq' | 'gte' | 'lte', value: number | boolean): boolean {
  const v = facts[fact as FactName];
  if (v === undefined) return false;
  if (op === 'eq') return v === value;
  if (typeof v !== 'number' || typeof value !== 'number') return false;
  return op === 'gte' ? v >= value : v <= value;
}

/**
 * An IP range written as CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (a /32 or /128), or null
 * when it is not one. Host bits are allowed here; PostgreSQL's network() clears them when it is stored.
 */
export function parseCidr(input: string): { address: string; prefix: number; family: 4 | 6 } | null {
  const [address, prefixText, ...rest] = input.trim().split('/');
  if (rest.length) return null;
  const family = isIP(address);
  if (family !== 4 && family !== 6) return null;
  const maxPrefix = family === 4 ? 32 : 128;
  if (prefixText === undefined) return { address, prefix: maxPrefix, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) return null;
  return { address, prefix: Number(prefixText), family };
}

/** A client IP as PostgreSQL and our keys see it: an IPv4-mapped IPv6 address (::ffff:1.2.3.4) as IPv4. */
export function normaliseIp(ip: string): string | null {
  const t = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  const v = mapped ? mapped[1] : t;
  return isIP(v) ? v.toLowerCase() : null;
}
