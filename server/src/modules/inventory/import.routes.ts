import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { requireAdmin } from '../../platform/auth/admin-auth.ts';
import { AppError, badRequest, notFound, validationFailed, type FieldProblem } from '../../platform/errors.ts';
import { problems } from '../../platform/http/schemas.ts';
import { assertStorable } from '../../platform/http/text-safety.ts';
import { newId } from '../../platform/ids.ts';
import { enqueue } from '../../platform/jobs/jobs.ts';
import { findProduct } from '../catalog/index.ts';
import { IMPORT_JOB, type ImportJobPayload } from './import.job.ts';
import { ImportAccepted } from './inventory.schemas.ts';
import { detectFormat } from './parsers/detect.ts';
import { parseExpiry } from './parsers/rows.ts';
import { removeUpload, storeUpload, type StoredUpload } from './upload-store.ts';

// POST /v1/admin/imports: multipart upload → encrypted at rest → a durable import job (202). The fields
// are checked before the job is queued, so a wrong product or format is a 4xx and nothing is queued.
interface ImportFields {
  product: string;
  supplier: string | null;
  unit_cost: number | null;
  expires_at: string | null;
  format: string | null;
}

const FIELDS = ['product', 'supplier', 'unit_cost', 'expires_at', 'format'];

function checkFields(raw: Record<string, string>): ImportFields {
  const errors: FieldProblem[] = [];
  for (const k of Object.keys(raw)) if (!FIELDS.includes(k)) errors.push({ field: k, message: 'is not an allowed field' });
  const product = raw.product?.trim();
  if (!product) errors.push({ field: 'product', message: 'is required (sku or id)' });
  const supplier = raw.supplier?.trim() || null;
  if (supplier && supplier.length > 100) errors.push({ field: 'supplier', message: 'must be at most 100 characters' });
  let unitCost: number | null = null;
  if (raw.unit_cost?.trim()) {
    unitCost = Number(raw.unit_cost);
    if (!Number.isSafeInteger(unitCost) || unitCost < 0) errors.push({ field: 'unit_cost', message: 'must be a non-negative integer (分)' });
  }
  let expires: string | null = null;
  if (raw.expires_at?.trim()) {
    const d = parseExpiry(raw.expires_at);
    if (!d) errors.push({ field: 'expires_at', message: 'must be an ISO 8601 date or date-time' });
    else if (d.getTime() <= Date.now()) errors.push({ field: 'expires_at', message: 'is in the past' });
    else expires = d.toISOString();
  }
  if (errors.length) throw validationFailed(errors);
  return { product: product!, supplier, unit_cost: unitCost, expires_at: expires, format: raw.format?.trim() || null };
}

/** Reads every part; the one file is streamed straight into encrypted storage. */
async function receive(ctx: AppContext, req: FastifyRequest): Promise<{ fields: Record<string, string>; upload: StoredUpload; filename: string }> {
  const fields: Record<string, string> = {};
  let upload: StoredUpload | undefined;
  let filename = '';
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        if (upload || file.fieldname !== 'file') {
          file.file.resume();
          throw badRequest('validation_failed', 'Send exactly one file, in the field "file".', [{ field: file.fieldname, message: 'unexpected file' }]);
        }
        filename = file.filename || 'upload';
        upload = await storeUpload(ctx, file.file);
        if (file.file.truncated) throw new AppError(413, 'payload_too_large', 'Payload too large', 'The file is larger than the upload limit.');
      } else {
        fields[part.fieldname] = String(part.value ?? '');
        assertStorable({ [part.fieldname]: fields[part.fieldname] }, 'A form field');
      }
    }
  } catch (e) {
    if (upload) removeUpload(upload);
    throw e;
  }
  if (!upload) throw validationFailed([{ field: 'file', message: 'is required' }], 'Attach the codes file in the field "file".');
  return { fields, upload, filename };
}

export async function importRoutes(app: FastifyInstance, { ctx }: { ctx: AppContext }) {
  app.post('/v1/admin/imports', {
    preValidation: requireAdmin(ctx, 'imports:write'),
    schema: {
      tags: ['admin'],
      summary: 'Import card codes from a CSV, TXT or XLSX file (runs as a job)',
      description:
        'multipart/form-data with fields product (sku or id), supplier?, unit_cost? (分), expires_at? (ISO 8601), format? (csv|txt|xlsx) and one file in the field "file". ' +
        'Answers 202 with the job id; follow it at GET /v1/admin/jobs/{id}.',
      consumes: ['multipart/form-data'],
      // documentation only (the multipart stream is parsed by the handler): see platform/http/openapi.ts
      'x-multipart-body': {
        type: 'object',
        required: ['product', 'file'],
        properties: {
          product: { type: 'string', description: 'sku or id' },
          supplier: { type: 'string' },
          unit_cost: { type: 'integer', minimum: 0, description: '分 per code' },
          expires_at: { type: 'string', format: 'date-time' },
          format: { type: 'string', enum: ['csv', 'txt', 'xlsx'] },
          file: { type: 'string', format: 'binary' },
        },
      },
      response: { 202: ImportAccepted, ...problems(400, 401, 403, 404, 413, 415) },
    },
    handler: async (req, reply) => {
      const { fields, upload, filename } = await receive(ctx, req);
      try {
        const f = checkFields(fields);
        const format = detectFormat(filename, f.format);
        const product = await findProduct(ctx.db, f.product);
        if (!product) throw notFound('Product', f.product);
        if (product.kind !== 'card_code' && product.kind !== 'link') {
          throw badRequest('wrong_product_kind', `Product ${product.sku} is a ${product.kind} product; only card_code and link products hold codes.`);
        }
        const payload: ImportJobPayload = {
          upload,
          batch_id: newId('bat'),
          product: product.id,
          source_name: filename,
          format,
          supplier: f.supplier,
          unit_cost: f.unit_cost,
          expires_at: f.expires_at,
          actor: req.admin!.id,
        };
        const job = await ctx.db.transaction().execute((tx) =>
          enqueue(tx, IMPORT_JOB, payload as unknown as Record<string, unknown>, { createdBy: req.admin!.id, maxAttempts: 3 }),
        );
        return reply.status(202).send({ job_id: job.id, status: job.status, batch_id: payload.batch_id });
      } catch (e) {
        removeUpload(upload);
        throw e;
      }
    },
  });
}
