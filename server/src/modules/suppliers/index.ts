import type { ModuleDefinition } from '../../platform/module.ts';
import type { Config } from '../../platform/config.ts';
import { balanceWorker } from './balance.ts';
import { supplierCircuits, type CallOutcome } from './circuit-breaker.ts';
import { supplierRoutes } from './suppliers.routes.ts';
import { registerSuppliersCli } from './suppliers.cli.ts';
import { registerSandboxCommand } from './sandbox/index.ts';

// The suppliers module's front door (names are binding, see /work/plan/CONTRACTS.md). Nothing else leaves
// the folder.

export { supplierRoute, supplierConnection, supplierByCallbackId, type RouteEntry, type SupplierRecord, type SupplierConnection } from './connection.ts';
export { remoteOrderMachine, type RemoteOrderState, type RemoteOrderEvent, type RemoteOrderColumns } from './remote-order.machine.ts';
export { firstSupplierCte, type FirstSupplierCteRow } from './suppliers.ctes.ts';
export { createSupplier, findSupplier, getSupplier, listSuppliers, rewrapSupplierSecrets, callbackUrl } from './suppliers.service.ts';
export { setProductSuppliers, getProductSuppliers } from './suppliers.service.ts';
export { refreshBalance, pollBalances, startBalancePoller } from './balance.ts';
export type { Supplier, ProductSuppliers, ProductSupplierInput } from './suppliers.schemas.ts';
export type * from './adapters/adapter.ts';
export { fuluAdapter } from './fulu/fulu.adapter.ts';
// money at the supplier boundary (元 decimal strings ↔ integer 分, string arithmetic), for reconciliation
export { yuanToFen, fenToYuan } from './fulu/money.ts';
export { chinaDay, formatChinaTime, parseChinaTime } from './fulu/protocol.ts';
export { adapterFor, adapterNames } from './adapters/registry.ts';
export { startSandboxSupplier, DEFAULT_KNOBS, type SandboxOptions, type SandboxSupplier, type SandboxKnobs } from './sandbox/index.ts';
export type { CallOutcome, CircuitSnapshot, CircuitState } from './circuit-breaker.ts';

/** May a new submission go to this supplier now? (Queries and callbacks never ask.) In half-open, true once. */
export const circuitAllows = (supplierId: string): boolean => supplierCircuits.allows(supplierId);

/** How a call went: `{ ok: true }`, or `{ countsForCircuit, reason }` (an adapter's `CallFailure` fits). */
export const recordSupplierCall = (supplierId: string, outcome: CallOutcome): void => supplierCircuits.record(supplierId, outcome);

/** The circuit as the admin view shows it (this process's). */
export const circuitState = (supplierId: string) => supplierCircuits.snapshot(supplierId);

/** Applies the configured circuit numbers (the module does this when its routes or workers start). */
export function configureSupplierCircuits(config: Pick<Config, 'suppliers'>) {
  const c = config.suppliers.circuit;
  supplierCircuits.configure({ minCalls: c.minCalls, failureRatio: c.failurePercent / 100, windowMs: c.windowSeconds * 1000, openMs: c.openSeconds * 1000, probeTimeoutMs: c.openSeconds * 1000 });
}

export const suppliersModule: ModuleDefinition = {
  name: 'suppliers',
  routes: async (app, deps) => {
    configureSupplierCircuits(deps.ctx.config);
    await supplierRoutes(app, deps);
  },
  // suppliers hold credentials and money: finance and auditors may look, only admins and operators change them
  permissions: {
    'suppliers:read': ['admin', 'operator', 'finance', 'auditor'],
    'suppliers:write': ['admin', 'operator'],
  },
  tags: [{ name: 'suppliers', description: 'Upstream suppliers, their credentials, balances and circuit state; product failover lists' }],
  cli: (program, env) => {
    registerSuppliersCli(program, env);
    registerSandboxCommand(program);
  },
  workers: [
    {
      name: balanceWorker.name,
      start(ctx) {
        configureSupplierCircuits(ctx.config);
        return balanceWorker.start(ctx);
      },
    },
  ],
};
