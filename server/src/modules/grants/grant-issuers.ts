import type { AppContext } from '../../platform/context.ts';
import type { Executor } from '../../platform/db/db.ts';
import type { Grant, IssueGrantBody } from './grants.schemas.ts';

// POST /v1/grants serves every product kind; card codes are issued here, other kinds by a flow that spans
// modules (a direct recharge writes a recharge order and a job too). A flow registers its issuer for a kind
// at start-up, so this module never imports a flow.
export interface IssuerInput {
  clientId: string;
  issuedBy: string;
  body: IssueGrantBody;
  idempotencyKey: string;
  requestHash: string;
}

/** `status`: 201 issued, 202 accepted and pending (a replay answers the first response's status) */
export type GrantIssuer = (ctx: AppContext, input: IssuerInput) => Promise<{ grant: Grant; replayed: boolean; status: 201 | 202 }>;

const issuers = new Map<string, GrantIssuer>();

export function registerGrantIssuer(kind: string, issuer: GrantIssuer): void {
  issuers.set(kind, issuer);
}

export function grantIssuerFor(kind: string): GrantIssuer | undefined {
  return issuers.get(kind);
}

// A product's kind (and sku) never change after creation, so the kind of a known product is cached; the card
// path pays one map lookup, not a query, and only unknown products cost a round trip.
// Kept per database handle: a SKU names a product only within its own database.
const kindCaches = new WeakMap<object, Map<string, string>>();

export async function productKindOf(db: Executor, ref: string): Promise<string | null> {
  let kindCache = kindCaches.get(db);
  if (!kindCache) kindCaches.set(db, (kindCache = new Map()));
  const hit = kindCache.get(ref);
  if (hit) return hit;
  const p = await db.selectFrom('products').select('kind').where((eb) => eb.or([eb('id', '=', ref), eb('sku', '=', ref)])).executeTakeFirst();
  if (!p) return null;
  if (kindCache.size > 10_000) kindCache.clear();
  kindCache.set(ref, p.kind);
  return p.kind;
}
