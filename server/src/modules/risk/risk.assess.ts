import { createHash } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { normalisePhone } from '../../platform/phone.ts';
import type { RiskDimension } from '../../platform/db/schema.ts';
import { releaseCounters, takeCounters, type CounterSpec, type Reservation } from './risk.counters.ts';
import { activeRulesFor, blacklisted, insertDecision, type RuleRow, type Scope } from './risk.repo.ts';
import { factProblems, meetsThreshold, normaliseIp, type Facts } from './risk.rules.ts';

// assessClaim: the one question the claim paths (redemption codes, campaign links, bulk issuance) ask before
// they issue. Order: blacklists (IP range, phone), then new-user thresholds on the facts, then the limits,
// counted atomically. Deny and review decisions are logged (masked) for the console; allows are not.

export interface ClaimInput {
  scope: Scope;
  /**
   * the claimant's IP: as the server saw it (req.ip behind the configured proxies) on the public pages, or as
   * the client system says on a signed call (its own server's address says nothing of the user). Without
   * one, IP blacklists and IP limits do not apply; the other checks do.
   */
  ip?: string | null;
  /** X-Quanyi-Device from the H5 pages: a random id kept in a first-party cookie. Never trusted alone. */
  deviceId?: string;
  phone?: string;
  externalId?: string;
  /** facts the client system vouches for (FACTS in risk.rules.ts) */
  facts?: Record<string, unknown>;
}

export type DenyCode = 'risk_blacklisted' | 'risk_threshold_not_met' | 'risk_limit_exceeded';

export type Assessment =
  | { outcome: 'allow'; reservation: Reservation }
  | { outcome: 'deny'; code: DenyCode; reason: string }
  /** held: the claim is counted (its reservation) until the review is decided; release it on reject */
  | { outcome: 'review'; reason: string; reservation: Reservation };

const MAX_ID_LENGTH = 200;

export function maskPhone(phone: string): string {
  return phone.length <= 7 ? phone.slice(0, 2) + '*'.repeat(Math.max(0, phone.length - 4)) + phone.slice(-2) : phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
const hint = (v: string) => (v.length <= 4 ? '*'.repeat(v.length) : `${v.slice(0, 2)}…${v.slice(-2)}`);
const hash = (dimension: string, v: string) => createHash('sha256').update(`${dimension}\0${v}`).digest('hex').slice(0, 32);

/**
 * Assesses one claim. Bad input (not an IP, not a phone, an unknown or mistyped fact, ids over 200
 * characters) throws a 400 `validation_failed`; everything else is a result value. An `allow` or `review`
 * holds counts in every limit that applies: give them back with `releaseClaim` when the claim does not
 * happen (out of stock, the review was rejected).
 */
export async function assessClaim(ctx: AppContext, input: ClaimInput): Promise<Assessment> {
  const problems: FieldProblem[] = [];
  const ip = input.ip === undefined || input.ip === null ? null : normaliseIp(input.ip);
  if (input.ip !== undefined && input.ip !== null && !ip) problems.push({ field: 'ip', message: 'not an IPv4 or IPv6 address' });
  const phone = input.phone === undefined ? null : normalisePhone(input.phone);
  if (input.phone !== undefined && !phone) problems.push({ field: 'phone', message: 'not a phone number' });
  for (const [field, v] of [['deviceId', input.deviceId], ['externalId', input.externalId]] as const) {
    if (v !== undefined && (typeof v !== 'string' || !v || v.length > MAX_ID_LENGTH)) problems.push({ field, message: `1–${MAX_ID_LENGTH} characters` });
  }
  const facts = (input.facts ?? {}) as Facts;
  problems.push(...factProblems(facts));
  if (problems.length) throw validationFailed(problems, 'The claim cannot be assessed.');

  const phoneFp = phone ? ctx.secrets.phoneFingerprint(phone) : null;
  const values: Record<RiskDimension, string | null> = {
    ip,
    phone: phoneFp ? phoneFp.toString('hex').slice(0, 32) : null,
    device: input.deviceId ? hash('device', input.deviceId) : null,
    external_id: input.externalId ? hash('external_id', input.externalId) : null,
  };
  const record = async (outcome: 'deny' | 'review', code: string, reason: string, rule: RuleRow | null) => {
    // the log is for people: a failure to write it must not refuse or allow a claim
    await insertDecision(ctx.db, {
      id: newId('rdc'), outcome, code, reason, rule_id: rule?.id ?? null,
      scope: { product_id: input.scope.productId, campaign_id: input.scope.campaignId, client_id: input.scope.clientId },
      ip, phone_masked: phone ? maskPhone(phone) : null,
      device_hint: input.deviceId ? hint(input.deviceId) : null, external_hint: input.externalId ? hint(input.externalId) : null,
    }).catch(() => undefined);
  };
  const deny = async (code: DenyCode, reason: string, rule: RuleRow | null): Promise<Assessment> => {
    await record('deny', code, reason, rule);
    return { outcome: 'deny', code, reason };
  };

  const black = await blacklisted(ctx.db, ip, phoneFp);
  if (black) return deny('risk_blacklisted', black.kind === 'ip' ? `IP in blacklisted range ${black.shown}` : `phone ${black.shown} is blacklisted`, null);

  const rules = await activeRulesFor(ctx.db, input.scope);
  const reviews: { reason: string; rule: RuleRow }[] = [];
  for (const r of rules.filter((r) => r.kind === 'threshold')) {
    if (meetsThreshold(facts, r.fact!, r.op!, r.value as number | boolean)) continue;
    const reason = `${r.name}: needs ${r.fact} ${r.op === 'eq' ? '=' : r.op === 'gte' ? '≥' : '≤'} ${String(r.value)} (${facts[r.fact as keyof Facts] === undefined ? 'not given' : `is ${String(facts[r.fact as keyof Facts])}`})`;
    if (r.action === 'deny') return deny('risk_threshold_not_met', reason, r);
    reviews.push({ reason, rule: r });
  }

  // a limit on a dimension the claim does not carry (no device id) does not apply; the others still do
  const limits = rules.filter((r) => r.kind === 'limit' && values[r.dimension!] !== null);
  const specs: CounterSpec[] = limits.map((r) => ({ key: `${r.id}:${r.dimension}:${values[r.dimension!]}`, max: r.max!, windowSeconds: r.window_seconds!, strict: r.action === 'deny' }));
  const taken = await takeCounters(ctx, specs);
  const over = (r: RuleRow) => `${r.name}: more than ${r.max} per ${r.dimension} in ${r.window_seconds} s`;
  if (taken.refusedBy !== null) return deny('risk_limit_exceeded', over(limits[taken.refusedBy]), limits[taken.refusedBy]);
  limits.forEach((r, i) => {
    const n = taken.counts[i];
    if (n === null) reviews.push({ reason: over(r), rule: r });
    else if (r.review_above !== null && n > r.review_above) reviews.push({ reason: `${r.name}: ${n} per ${r.dimension} in ${r.window_seconds} s is over the review threshold ${r.review_above}`, rule: r });
  });
  if (reviews.length) {
    const reason = reviews.map((x) => x.reason).join('; ');
    await record('review', 'risk_review', reason, reviews[0].rule);
    return { outcome: 'review', reason, reservation: taken.reservation };
  }
  return { outcome: 'allow', reservation: taken.reservation };
}

/** Gives back the counts a claim took (it did not happen). Idempotent: a second call changes nothing. */
export async function releaseClaim(ctx: AppContext, reservation: Reservation): Promise<void> {
  await releaseCounters(ctx, reservation);
}
