import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, fail, type FieldProblem } from '../errors.ts';
import { maskUrl } from './logging.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';

// Every error leaves as application/problem+json (DESIGN §6); 5xx never carry internals.
export function sendProblem(req: FastifyRequest, reply: FastifyReply, err: AppError) {
  const body: Record<string, unknown> = {
    type: 'about:blank',
    status: err.status,
    code: err.code,
    title: err.title,
    detail: err.detail ?? err.title,
    request_id: req.id,
    ...err.extra,
  };
  if (err.errors?.length) body.errors = err.errors;
  return reply.status(err.status).type('application/problem+json').send(body);
}

function fieldOf(v: { instancePath?: string; params?: Record<string, unknown> }, context?: string): string {
  const base = (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const missing = v.params?.missingProperty as string | undefined;
  const extra = v.params?.additionalProperty as string | undefined;
  const leaf = missing ?? extra;
  const field = [base, leaf].filter(Boolean).join('.');
  return field || context || 'body';
}

export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation) {
    const errors: FieldProblem[] = error.validation.map((v) => ({
      field: fieldOf(v as never, (error as { validationContext?: string }).validationContext),
      message: v.params && (v.params as Record<string, unknown>).additionalProperty ? 'is not an allowed field' : v.message ?? 'is invalid',
    }));
    return new AppError(400, 'validation_failed', 'Validation failed', 'The request has invalid fields.', {}, errors);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(400, 'invalid_json', 'Bad request', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(415, 'unsupported_media_type', 'Unsupported media type', 'Send application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError(413, 'payload_too_large', 'Payload too large', 'The request body is too large.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(415, 'unsupported_media_type', 'Unsupported media type', 'Send multipart/form-data.');
    case 'FST_ERR_BAD_URL':
      return fail('bad_url', 'The URL path is not valid percent-encoded UTF-8.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return fail('path_too_long');
  }
  // busboy's parse errors are plain Errors (no code, no status): a malformed upload, not our fault
  if (!error.statusCode && /^(Multipart: |Malformed |Unexpected end of (form|multipart)|Part terminated)/.test(error.message ?? '')) {
    return fail('invalid_multipart', 'The multipart/form-data body is malformed: ' + error.message.slice(0, 100));
  }
  if (isDatabaseUnavailable(error)) {
    return fail('service_unavailable', 'The service is briefly unavailable. Retry after the time in Retry-After.');
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(error.statusCode, 'bad_request', 'Bad request', error.message);
  }
  return new AppError(500, 'internal_error', 'Internal error', 'Something went wrong on our side. Quote the request_id when reporting it.');
}

export function installProblemHandlers(app: FastifyInstance, opts: { retryAfterSeconds?: number } = {}) {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const problem = toAppError(error);
    if (problem.code === 'service_unavailable') {
      // a lost database is an outage to report, not a bug: one line, no stack per request
      req.log.warn({ err: { message: error.message, code: (error as { code?: unknown }).code } }, 'database unavailable');
      reply.header('retry-after', String(opts.retryAfterSeconds ?? 5));
    } else if (problem.status >= 500) req.log.error({ err: error }, 'request failed');
    return sendProblem(req, reply, problem);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(req, reply, new AppError(404, 'not_found', 'Not found', `No route for ${req.method} ${maskUrl(req.url.split('?')[0])}.`)),
  );
}
