import type { SupplierAdapter } from './adapter.ts';
import { fuluAdapter } from '../fulu/fulu.adapter.ts';

// The adapters a supplier may name. A new supplier protocol is one implementation and one line here.
export const ADAPTERS: Readonly<Record<string, SupplierAdapter>> = {
  fulu: fuluAdapter,
};

export const adapterNames = () => Object.keys(ADAPTERS);

export function adapterFor(name: string): SupplierAdapter | null {
  return Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : null;
}
