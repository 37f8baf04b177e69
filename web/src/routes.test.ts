import { lazy } from 'react';
import { describe, expect, it } from 'vitest';
import { createAccess } from './access.ts';
import { homePath, type PageRoute } from './routes.tsx';

const page = lazy(async () => ({ default: () => null }));
// a route table of its own: which pages are built changes as the console grows
const ROUTES: PageRoute[] = [
  { path: '/dashboard', menu: 'menu.dashboard', icon: null, permission: 'dashboard:read', page },
  { path: '/grants', menu: 'menu.grants', icon: null, permission: 'grants:read' },
  { path: '/stock', menu: 'menu.stock', icon: null, permission: 'stock:read', page },
];
const home = (...permissions: string[]) => homePath(createAccess({ permissions }), ROUTES);

describe('the console start page', () => {
  it('is the first menu page the role may open, a built page before a "coming soon" one', () => {
    expect(home('dashboard:read', 'grants:read', 'stock:read')).toBe('/dashboard');
    expect(home('grants:read', 'stock:read')).toBe('/stock'); // support: no dashboard:read
    expect(home('grants:read')).toBe('/grants');
    expect(home()).toBeUndefined();
  });

  it('for the real route table: the dashboard for an operator, products for support', () => {
    expect(homePath(createAccess({ permissions: ['dashboard:read', 'products:read', 'stock:read'] }))).toBe('/dashboard');
    expect(homePath(createAccess({ permissions: ['products:read', 'stock:read', 'grants:read', 'recharges:read', 'webhooks:read'] }))).toBe('/products');
  });
});
