import type { ModuleDefinition } from '../../platform/module.ts';
import { h5Routes } from './h5.routes.ts';

// The h5 module's front door (issue 7 §6): the shell every end-user page is drawn in, the brands it draws
// with, and QR codes of our public links. How to add a page: docs/h5.md.
export { renderH5Page, sendH5Page, esc, h5Script, type H5Page } from './shell.ts';
export { brandFor, DEFAULT_BRAND, type PageBrand, type BrandView } from './brands.service.ts';
export { phoneWidget } from './phone-widget.ts';
export { qrImage, ourPublicUrl, type QrFormat } from './qr.ts';

export const h5Module: ModuleDefinition = {
  name: 'h5',
  routes: h5Routes,
  permissions: {
    'brands:read': ['admin', 'operator', 'support'],
    'brands:write': ['admin', 'operator'],
    'h5:qr': ['admin', 'operator', 'support'],
    'grants:qr': ['admin', 'operator'],
  },
  tags: [{ name: 'h5', description: 'Branded H5 pages for end users' }],
};
