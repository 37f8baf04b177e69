import type { ModuleDefinition } from '../../platform/module.ts';
import { registerProducts } from './catalog.cli.ts';
export { parsePeriod } from './catalog.cli.ts';
import { catalogRoutes } from './catalog.routes.ts';

// The catalog's front door: products (what can be issued).
export { activeProductCte, type ProductCteRow } from './catalog.ctes.ts';
export { createProduct, updateProduct, findProduct, getProduct, listProducts, toProduct } from './catalog.service.ts';
export { Product, ProductCreate, ProductUpdate, ProductStatus, ProductKind, SimpleProductKind, Period } from './catalog.schemas.ts';

export const catalogModule: ModuleDefinition = {
  name: 'catalog',
  routes: catalogRoutes,
  permissions: {
    'products:read': ['admin', 'operator', 'finance', 'auditor', 'support'],
    'products:write': ['admin', 'operator'],
  },
  tags: [{ name: 'products', description: 'What can be issued' }],
  cli: registerProducts,
};
