import { AppError } from '../../platform/errors.ts';
import type { JobPolicy, JobRun } from '../../platform/jobs/jobs.ts';
import { importCodes } from './import.service.ts';
import { openUpload, removeUpload, type StoredUpload } from './upload-store.ts';

// The job behind POST /v1/admin/imports: decrypt-streams the stored upload through the same importer the
// CLI uses. The batch id is fixed at enqueue time, so a retry after a crash that followed the commit finds
// the batch instead of importing again.
export const IMPORT_JOB = 'inventory.import';

/**
 * Imports are long and rare: the bulk lane, so they never delay issuance, recharges or webhooks. A retry
 * (after a crash) removes what the interrupted run staged and starts over from the stored upload.
 */
export const IMPORT_JOB_POLICY: JobPolicy = { attempts: 3, backoffSeconds: [10, 60], lane: 'bulk', retentionDays: 30, leaseSeconds: 600 };

export interface ImportJobPayload {
  upload: StoredUpload;
  batch_id: string;
  product: string;
  source_name: string;
  format: string | null;
  supplier: string | null;
  unit_cost: number | null;
  expires_at: string | null;
  actor: string;
}

export async function runImportJob(run: JobRun): Promise<Record<string, unknown>> {
  const p = run.payload as unknown as ImportJobPayload;
  run.progress(0, p.upload.size);
  try {
    const result = await importCodes(run.ctx, {
      product: p.product,
      input: openUpload(run.ctx, p.upload),
      sourceName: p.source_name,
      format: p.format,
      supplier: p.supplier,
      unitCost: p.unit_cost,
      expiresAt: p.expires_at ? new Date(p.expires_at) : null,
      actor: p.actor,
      batchId: p.batch_id,
      onProgress: (bytes) => run.progress(bytes),
    });
    removeUpload(p.upload);
    return { ...result };
  } catch (e) {
    // keep the encrypted file for a retry; remove it once no retry will come
    const permanent = e instanceof AppError && e.status < 500;
    if (permanent || run.lastAttempt) removeUpload(p.upload);
    throw e;
  }
}
