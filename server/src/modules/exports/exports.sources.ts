import { Type, type TSchema } from '@sinclair/typebox';
import type { AppContext } from '../../platform/context.ts';
import { auditPage, type AuditFilter } from '../audit/index.ts';
import { AdminGrantFilter, grantExportPage, phoneFilterOf, type GrantSearch } from '../grants/index.ts';
import { listRechargeOrders } from '../recharges/index.ts';
import type { ExportKind } from './exports.repo.ts';

// What each kind of export reads: its filter (the same as the console list's), its columns, and its rows page
// by page through the owning module's front door, newest first. Rows carry what the console shows: phones
// and accounts masked, never a code, token or redeem link.
export type Cell = string | number | boolean | null;
export type ExportRecord = Record<string, Cell>;

export interface ExportSource {
  /** the admin permission to create and download this kind */
  permission: string;
  filter: TSchema;
  columns: readonly string[];
  /**
   * The filter as stored with the export and shown in its audit events: a phone is kept as its keyed
   * fingerprint (to query) and masked (to show), never as the number.
   */
  prepare(ctx: AppContext, filter: Record<string, unknown>): Record<string, unknown>;
  page(ctx: AppContext, filter: Record<string, unknown>, after: string | null, limit: number): Promise<{ rows: ExportRecord[]; next: string | null }>;
}

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

const grants: ExportSource = {
  permission: 'exports:grants',
  filter: AdminGrantFilter,
  columns: ['id', 'status', 'product_id', 'product_sku', 'product_name', 'client_id', 'out_order_no', 'external_id', 'phone', 'email', 'account', 'created_at', 'redeemed_at', 'ended_at', 'expires_at', 'failure_code'],
  prepare(ctx, f) {
    if (typeof f.phone !== 'string') return f;
    const { phone, ...rest } = f;
    const p = phoneFilterOf(ctx, phone as string, 'filter.phone');
    return { ...rest, phone_masked: p.masked, phone_fp: p.fp.toString('hex') };
  },
  async page(ctx, f, after, limit) {
    const { phone_fp, phone_masked: _shown, ...rest } = f as GrantSearch & { phone_fp?: string; phone_masked?: string };
    const rows = await grantExportPage(ctx, { ...rest, ...(phone_fp ? { phone_fp: Buffer.from(phone_fp, 'hex') } : {}) }, after, limit);
    return {
      rows: rows.map((r) => ({ ...r, created_at: iso(r.created_at), redeemed_at: iso(r.redeemed_at), ended_at: iso(r.ended_at), expires_at: iso(r.expires_at) })),
      next: rows.length === limit ? rows[rows.length - 1].id : null,
    };
  },
};

const recharges: ExportSource = {
  permission: 'exports:recharges',
  filter: Type.Object(
    { status: Type.Optional(Type.String({ maxLength: 20 })), product: Type.Optional(Type.String({ maxLength: 100, description: 'product id (prd_…)' })) },
    { additionalProperties: false },
  ),
  columns: ['id', 'grant_id', 'client_id', 'product_id', 'account', 'status', 'failure_code', 'failure_message', 'created_at', 'finished_at'],
  prepare: (_ctx, f) => f,
  async page(ctx, f, after, limit) {
    const p = await listRechargeOrders(ctx.db, { ...(f as { status?: string; product?: string }), limit, cursor: after ?? undefined });
    return {
      rows: p.data.map(({ failure, ...o }) => ({ ...o, failure_code: failure?.code ?? null, failure_message: failure?.message ?? null })),
      next: p.next_cursor,
    };
  },
};

const audit: ExportSource = {
  permission: 'exports:audit',
  filter: Type.Object(
    { action: Type.Optional(Type.String({ maxLength: 100 })), actor: Type.Optional(Type.String({ maxLength: 100 })), target: Type.Optional(Type.String({ maxLength: 100 })) },
    { additionalProperties: false },
  ),
  columns: ['seq', 'created_at', 'actor', 'action', 'target', 'details'],
  prepare: (_ctx, f) => f,
  async page(ctx, f, after, limit) {
    const rows = await auditPage(ctx.db, f as AuditFilter, after === null ? null : Number(after), limit);
    return {
      rows: rows.map((e) => ({ seq: e.seq, created_at: iso(e.created_at), actor: e.actor, action: e.action, target: e.target, details: JSON.stringify(e.details) })),
      next: rows.length === limit ? String(rows[rows.length - 1].seq) : null,
    };
  },
};

export const EXPORT_SOURCES: Record<ExportKind, ExportSource> = { grants, recharges, audit };
export const EXPORT_KINDS = Object.keys(EXPORT_SOURCES) as ExportKind[];

/** The filter as the console shows it: without the phone's fingerprint. */
export function shownFilter(filter: Record<string, unknown>): Record<string, unknown> {
  const { phone_fp: _fp, ...rest } = filter;
  return rest;
}
