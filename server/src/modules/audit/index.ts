// The audit module's front door.
export { appendAudit, verifyAudit, canonicalJson, type AuditInput, type AuditEvent, type VerifyResult } from './audit.service.ts';
