import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

// The console's only way to the server: typed by the server's own OpenAPI document (schema.d.ts is generated
// by scripts/gen-api.mjs), so a renamed field or route is a type error here, not a blank page.

/** application/problem+json, as every error of the API is answered */
export interface Problem {
  status: number;
  code?: string;
  title?: string;
  detail?: string;
  request_id?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
  }
  get status() {
    return this.problem.status;
  }
  get code() {
    return this.problem.code;
  }
}

/** Why a call was refused: `expired` when the server ended an idle session (401 `session_expired`). */
export interface Unauthorized {
  expired: boolean;
}

/** Where a 401 sends the operator (the login page, remembering where they were). Set by the router. */
let onUnauthorized: (why: Unauthorized) => void = () => undefined;
export function setUnauthorizedHandler(fn: (why: Unauthorized) => void) {
  onUnauthorized = fn;
}

/** When the server last answered this browser: the session's idle clock restarts with every call (session.ts). */
export let lastServerContact = Date.now();

/** Reads the problem code from a copy of the body, so the caller still gets the original response. */
async function unauthorizedReason(response: Response): Promise<Unauthorized> {
  const body = (await response.clone().json().catch(() => ({}))) as Partial<Problem>;
  return { expired: body.code === 'session_expired' };
}

export const CONSOLE_HEADER = 'X-Quanyi-Console';

const consoleMiddleware: Middleware = {
  onRequest({ request }) {
    // the server refuses cookie-authenticated admin calls without it: a cross-site form or image cannot set it
    request.headers.set(CONSOLE_HEADER, '1');
    return request;
  },
  async onResponse({ request, response }) {
    lastServerContact = Date.now();
    // a wrong password answers 401 too: only an expired or missing session leaves the page
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/v1/admin/login')) onUnauthorized(await unauthorizedReason(response));
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(consoleMiddleware);

/** fetch() for what openapi-fetch does not type (multipart uploads), with the same header and credentials. */
export async function rawFetch(path: string, init: RequestInit): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(CONSOLE_HEADER, '1');
  const response = await fetch(path, { ...init, headers, credentials: 'same-origin' });
  lastServerContact = Date.now();
  if (response.status === 401) onUnauthorized(await unauthorizedReason(response));
  return response;
}

/** The data of a successful call, or an ApiError carrying the problem+json the server answered. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw toApiError(result.response, result.error);
  return result.data as T;
}

export function toApiError(response: Response, body: unknown): ApiError {
  const p = (typeof body === 'object' && body !== null ? body : {}) as Partial<Problem>;
  return new ApiError({ ...p, status: response.status });
}
