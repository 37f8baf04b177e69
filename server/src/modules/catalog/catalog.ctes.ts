import { sql } from 'kysely';
import type { Cte } from '../../platform/db/ctes.ts';

/** Columns of `activeProductCte`, for the flow that reads them from its result. */
export interface ProductCteRow {
  id: string;
  sku: string;
  name: string;
  platform: string;
  kind: string;
  period_unit: string | null;
  period_count: number | null;
  renewal: boolean;
}

/**
 * The product named `ref` (id or sku) as a step of a composed statement: one row when it exists, is active,
 * is of `kind` and (when given) takes one of `accountTypes`; none otherwise (the caller's slow path then
 * says which of those it was). `account_type` is the first of `accountTypes` in the product's list order.
 */
export function activeProductCte(name: string, ref: string, kind: string, accountTypes?: readonly string[]): Cte {
  return {
    name,
    sql: sql`SELECT id, sku, name, platform, kind, period_unit, period_count, renewal FROM products
              WHERE ${ref.startsWith('prd_') ? sql`id` : sql`sku`} = ${ref} AND status = 'active' AND kind = ${kind}
                AND ${accountTypes ? sql`account_types && ${[...accountTypes]}::text[]` : sql`true`}`,
  };
}
