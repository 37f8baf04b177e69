import {
  ApiOutlined,
  AuditOutlined,
  CloudServerOutlined,
  DashboardOutlined,
  SendOutlined,
  DatabaseOutlined,
  ExportOutlined,
  FormatPainterOutlined,
  GiftOutlined,
  SafetyOutlined,
  MessageOutlined,
  LinkOutlined,
  KeyOutlined,
  ScheduleOutlined,
  ShopOutlined,
  SwapOutlined,
  TeamOutlined,
  ThunderboltOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { Access } from './access.ts';
import type { MessageKey } from './i18n/index.tsx';

// THE route table of the console: one entry per side-menu page. Adding a page = a folder under
// src/pages/<name>/ with an index.tsx default export, a `<name>` namespace in both locale files, and one entry
// here (path, menu label, icon, the permission the server asks for the page's main list). An entry without
// `page` shows the translated "coming soon" placeholder. Pages load lazily (their own chunk).
export interface PageRoute {
  path: string;
  menu: MessageKey;
  icon: ReactNode;
  /** a permission from the server modules' `permissions:` (GET /v1/admin/me lists the user's) */
  permission?: string;
  page?: LazyExoticComponent<ComponentType>;
}

export const ROUTES: readonly PageRoute[] = [
  { path: '/dashboard', menu: 'menu.dashboard', icon: <DashboardOutlined />, permission: 'dashboard:read', page: lazy(() => import('./pages/dashboard/index.tsx')) },
  { path: '/products', menu: 'menu.products', icon: <ShopOutlined />, permission: 'products:read', page: lazy(() => import('./pages/products/index.tsx')) },
  { path: '/stock', menu: 'menu.stock', icon: <DatabaseOutlined />, permission: 'stock:read', page: lazy(() => import('./pages/stock/index.tsx')) },
  { path: '/grants', menu: 'menu.grants', icon: <GiftOutlined />, permission: 'grants:read', page: lazy(() => import('./pages/grants/index.tsx')) },
  { path: '/campaigns', menu: 'campaigns.menu', icon: <LinkOutlined />, permission: 'campaigns:read', page: lazy(() => import('./pages/campaigns/index.tsx')) },
  { path: '/redemption', menu: 'redemption.menu', icon: <KeyOutlined />, permission: 'redemption:read', page: lazy(() => import('./pages/redemption/index.tsx')) },
  { path: '/links', menu: 'menu.links', icon: <LinkOutlined />, permission: 'links:read', page: lazy(() => import('./pages/links/index.tsx')) },
  { path: '/bulk', menu: 'bulk.menu', icon: <SendOutlined />, permission: 'bulk:read', page: lazy(() => import('./pages/bulk/index.tsx')) },
  { path: '/exports', menu: 'menu.exports', icon: <ExportOutlined />, permission: 'exports:read', page: lazy(() => import('./pages/exports/index.tsx')) },
  { path: '/suppliers', menu: 'menu.suppliers', icon: <CloudServerOutlined />, permission: 'suppliers:read', page: lazy(() => import('./pages/suppliers/index.tsx')) },
  { path: '/recharges', menu: 'menu.recharges', icon: <ThunderboltOutlined />, permission: 'recharges:read', page: lazy(() => import('./pages/recharges/index.tsx')) },
  { path: '/clients', menu: 'menu.clients', icon: <ApiOutlined />, permission: 'clients:read', page: lazy(() => import('./pages/clients/index.tsx')) },
  { path: '/brands', menu: 'h5.menu', icon: <FormatPainterOutlined />, permission: 'brands:read', page: lazy(() => import('./pages/brands/index.tsx')) },
  { path: '/webhooks', menu: 'menu.webhooks', icon: <SwapOutlined />, permission: 'webhooks:read', page: lazy(() => import('./pages/webhooks/index.tsx')) },
  { path: '/risk', menu: 'menu.risk', icon: <SafetyOutlined />, permission: 'risk:read', page: lazy(() => import('./pages/risk/index.tsx')) },
  { path: '/notify', menu: 'notify.menu', icon: <MessageOutlined />, permission: 'notify:read', page: lazy(() => import('./pages/notify/index.tsx')) },
  { path: '/jobs', menu: 'menu.jobs', icon: <ScheduleOutlined />, permission: 'jobs:read', page: lazy(() => import('./pages/jobs/index.tsx')) },
  { path: '/audit', menu: 'menu.audit', icon: <AuditOutlined />, permission: 'audit:read', page: lazy(() => import('./pages/audit/index.tsx')) },
  { path: '/users', menu: 'menu.users', icon: <TeamOutlined />, permission: 'users:read', page: lazy(() => import('./pages/users/index.tsx')) },
  // every role: one's own password-less settings (two-step sign-in); the server asks only for a session
  { path: '/account', menu: 'account.menu', icon: <UserOutlined />, page: lazy(() => import('./pages/account/index.tsx')) },
];

/** Where "/" and a sign-in without ?next= land: the first page of the menu the user may open (support has no
 * dashboard), a built page before a "coming soon" one; undefined when the role may open none. */
export function homePath(access: Access, routes: readonly PageRoute[] = ROUTES): string | undefined {
  const open = routes.filter((r) => access.can(r.permission));
  return (open.find((r) => r.page) ?? open[0])?.path;
}
