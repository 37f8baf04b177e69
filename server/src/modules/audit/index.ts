import type { ModuleDefinition } from '../../platform/module.ts';
import { registerAudit } from './audit.cli.ts';
import { auditRoutes } from './audit.routes.ts';

// The audit module's front door: the append-only, hash-chained log every other module writes through.
export { appendAudit, verifyAudit, type AuditInput, type AuditEvent, type VerifyResult } from './audit.service.ts';
export { auditEventsFor, auditPage, type AuditFilter, type AuditRow } from './audit.read.ts';

export const auditModule: ModuleDefinition = {
  name: 'audit',
  routes: auditRoutes,
  permissions: { 'audit:read': ['admin', 'auditor'] },
  cli: registerAudit,
};
