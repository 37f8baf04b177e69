import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Executor, Tx } from '../../platform/db/db.ts';
import type { ExpectedHead } from './audit-head.ts';

// Append-only, hash-chained audit log (DESIGN §3.5). An event is written in the same transaction as the
// change it records. Appends are serialised by locking the single head row, so each event links to
// exactly one predecessor; readers never block on it.
export interface AuditInput {
  /** who: `usr_…` (admin), `cli_…` (client system), `system`, `public:<ip>` */
  actor: string;
  /** what, dotted: `grant.void`, `code.reveal`, `batch.import` … */
  action: string;
  /** the id acted on */
  target?: string | null;
  /** facts about the change; never secrets, codes, tokens or full phone numbers */
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: number;
  created_at: Date;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

/** Canonical JSON: keys sorted at every level, so the hash does not depend on key order in jsonb. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  const obj = value as Record<string, unknown>;
  return (
    '{' +
    Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k]))
      .join(',') +
    '}'
  );
}

export function eventHash(e: Omit<AuditEvent, 'hash'>): string {
  const body = canonicalJson({
    seq: e.seq,
    created_at: e.created_at.toISOString(),
    actor: e.actor,
    action: e.action,
    target: e.target,
    details: e.details,
  });
  return createHash('sha256').update(e.prev_hash).update('\n').update(body).digest('hex');
}

export async function appendAudit(tx: Tx, input: AuditInput): Promise<AuditEvent> {
  const head = await sql<{ seq: number; hash: string }>`SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE`.execute(tx);
  const prev = head.rows[0];
  // millisecond precision: what JavaScript dates hold, so the stored timestamp re-hashes identically
  const createdAt = new Date(Math.floor(Date.now()));
  const event: Omit<AuditEvent, 'hash'> = {
    seq: Number(prev.seq) + 1,
    created_at: createdAt,
    actor: input.actor,
    action: input.action,
    target: input.target ?? null,
    details: JSON.parse(JSON.stringify(input.details ?? {})),
    prev_hash: prev.hash,
  };
  const hash = eventHash(event);
  await tx
    .insertInto('audit_events')
    .values({ ...event, details: JSON.stringify(event.details), hash })
    .execute();
  await sql`UPDATE audit_head SET seq = ${event.seq}, hash = ${hash} WHERE id = 1`.execute(tx);
  return { ...event, hash };
}

export type VerifyResult =
  | { ok: true; events: number; head_hash: string }
  | { ok: false; events_checked: number; broken_seq: number; reason: string };

/** Walks the chain in order, recomputing every hash; reports the first event that does not match. */
export async function verifyAudit(
  db: Executor,
  onProgress?: (checked: number, total: number) => void,
  opts: { expectHead?: ExpectedHead } = {},
): Promise<VerifyResult> {
  const expect = opts.expectHead;
  const total = Number((await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events`.execute(db)).rows[0].n);
  const head = (await sql<{ seq: number; hash: string }>`SELECT seq, hash FROM audit_head WHERE id = 1`.execute(db)).rows[0];
  let prevHash = '0'.repeat(64);
  let expectedSeq = 1;
  let checked = 0;
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(2000)
      .execute();
    if (page.length === 0) break;
    for (const row of page) {
      const e = { ...row, seq: Number(row.seq), details: row.details as Record<string, unknown> };
      if (e.seq !== expectedSeq) return { ok: false, events_checked: checked, broken_seq: expectedSeq, reason: `event ${expectedSeq} is missing` };
      if (e.prev_hash !== prevHash) return { ok: false, events_checked: checked, broken_seq: e.seq, reason: 'prev_hash does not match the previous event' };
      if (eventHash(e) !== e.hash) return { ok: false, events_checked: checked, broken_seq: e.seq, reason: 'content does not match its hash' };
      if (expect && e.seq === expect.seq && e.hash !== expect.hash) {
        return { ok: false, events_checked: checked, broken_seq: e.seq, reason: `event ${e.seq} differs from the expected head: the log was rewritten from there on` };
      }
      prevHash = e.hash;
      expectedSeq++;
      checked++;
      after = e.seq;
    }
    onProgress?.(checked, total);
  }
  if (expect && checked < expect.seq) {
    return {
      ok: false,
      events_checked: checked,
      broken_seq: checked + 1,
      reason: `the log holds ${checked} events but the expected head is event ${expect.seq}: newer events were deleted`,
    };
  }
  if (Number(head.seq) !== checked || head.hash !== prevHash) {
    return { ok: false, events_checked: checked, broken_seq: checked + 1, reason: `the chain head says ${head.seq} events but ${checked} are present` };
  }
  return { ok: true, events: checked, head_hash: prevHash };
}
