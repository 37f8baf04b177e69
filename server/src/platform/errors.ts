// Application errors rendered as application/problem+json (DESIGN §6). `code` is the stable contract, taken
// from the one table in error-codes.ts; `title` and `detail` are for humans and may change.
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

export { ERROR_CODES, type ErrorCode };

export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly errors?: FieldProblem[],
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

/** An error whose status and title come from the table. */
export const fail = (code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}, errors?: FieldProblem[]) =>
  new AppError(ERROR_CODES[code].status, code, ERROR_CODES[code].title, detail ?? ERROR_CODES[code].description, extra, errors);

export const badRequest = (code: ErrorCode, detail: string, errors?: FieldProblem[]) =>
  new AppError(400, code, 'Bad request', detail, {}, errors);
export const validationFailed = (errors: FieldProblem[], detail = 'The request has invalid fields.') =>
  new AppError(400, 'validation_failed', 'Validation failed', detail, {}, errors);
export const unauthorized = (code: ErrorCode, detail: string) => new AppError(401, code, 'Unauthorized', detail);
export const forbidden = (detail = 'Your role does not allow this action.') =>
  new AppError(403, 'forbidden', 'Forbidden', detail);
export const notFound = (what: string, id?: string) =>
  new AppError(404, 'not_found', 'Not found', id ? `${what} ${id} does not exist.` : `${what} does not exist.`);
export const conflict = (code: ErrorCode, detail: string, extra: Record<string, unknown> = {}) =>
  new AppError(409, code, 'Conflict', detail, extra);
export const gone = (code: ErrorCode, detail: string) => new AppError(410, code, 'Gone', detail);
