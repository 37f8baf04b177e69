import type { AppContext } from '../../platform/context.ts';
import type { Executor, Tx } from '../../platform/db/db.ts';
import type { RouteEntry, SupplierAdapter, SupplierCredentials } from '../../modules/suppliers/index.ts';

export type { RouteEntry };

// What the recharge flows need from the suppliers and webhooks modules, as one object. `wiring.ts` fills it
// from their front doors; tests may not replace it (they run the real modules against the sandbox).
export type SubmitResult = Awaited<ReturnType<SupplierAdapter['submitRecharge']>>;
export type QueryResult = Awaited<ReturnType<SupplierAdapter['queryOrder']>>;


export interface SupplierConnection {
  adapter: SupplierAdapter;
  creds: SupplierCredentials;
  /** a disabled supplier takes no new orders; queries and callbacks of its orders still flow */
  disabled: boolean;
}

export type CallOutcome = { ok: true } | { countsForCircuit: boolean; reason?: string };

export interface RechargePorts {
  /** the product's suppliers in failover order */
  supplierRoute(db: Executor, productId: string): Promise<RouteEntry[]>;
  /** null when the supplier does not exist (or is disabled) */
  supplierConnection(ctx: AppContext, supplierId: string): Promise<SupplierConnection | null>;
  circuitAllows(supplierId: string): boolean;
  recordSupplierCall(supplierId: string, outcome: CallOutcome): void;
  /** whether the client has an endpoint listening for `type` (cached for about a second) */
  wantsEvent(db: Executor, clientId: string | null, type: 'grant.pending' | 'grant.redeemed' | 'grant.failed'): Promise<boolean>;
  recordEvent(tx: Tx, e: { type: 'grant.issued' | 'grant.pending' | 'grant.redeemed' | 'grant.failed'; clientId: string | null; subjectId: string; data: unknown }): Promise<void>;
}
