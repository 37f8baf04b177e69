import type { SwaggerOptions } from '@fastify/swagger';
import { ERROR_CODES } from '../error-codes.ts';

// The OpenAPI document (DESIGN §6), shaped for tools: every operation has an operationId, declares its
// security (the four signing headers, the admin session, or none), answers errors as
// application/problem+json listing the stable codes, and documents 429 with its headers. Routes keep their
// schemas lean; this transform adds the shared parts to the document only (validation is unaffected).

const SIGNING_HEADERS = {
  quanyiKey: { name: 'X-Quanyi-Key', description: 'The client key id (qk_…).' },
  quanyiTimestamp: { name: 'X-Quanyi-Timestamp', description: 'Unix seconds; at most 300 s from server time.' },
  quanyiNonce: { name: 'X-Quanyi-Nonce', description: '16–128 printable characters, never reused.' },
  quanyiSignature: {
    name: 'X-Quanyi-Signature',
    description:
      'Lowercase hex HMAC-SHA256(secret, METHOD + "\\n" + path?query + "\\n" + timestamp + "\\n" + nonce + "\\n" + ' +
      'lowercase hex SHA-256 of the raw body).',
  },
} as const;

const SIGNED = [Object.fromEntries(Object.keys(SIGNING_HEADERS).map((k) => [k, []]))];
const SESSION = [{ session: [] }];

const codeTable = Object.entries(ERROR_CODES)
  .map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.description} |`)
  .join('\n');

// @fastify/swagger wraps each header's JSON schema into an OpenAPI header object itself
const RATE_HEADERS = {
  'Retry-After': { type: 'integer', description: 'Seconds to wait before retrying.' },
  'RateLimit-Limit': { type: 'integer', description: 'Requests allowed in the window.' },
  'RateLimit-Remaining': { type: 'integer', description: 'Requests left in the window.' },
  'RateLimit-Reset': { type: 'integer', description: 'Seconds until the window resets.' },
};

const STATUS_TEXT: Record<string, string> = {
  '400': 'Bad request', '401': 'Not authenticated', '403': 'Forbidden', '404': 'Not found', '409': 'Conflict',
  '410': 'Gone', '413': 'Payload too large', '415': 'Unsupported media type', '429': 'Too many requests', '503': 'Service unavailable',
};

const problemResponse = (status: string) => ({
  description: `${STATUS_TEXT[status] ?? 'Error'} (application/problem+json)`,
  ...(status === '429' || status === '503' ? { headers: status === '429' ? RATE_HEADERS : { 'Retry-After': RATE_HEADERS['Retry-After'] } } : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** `POST /v1/grants/:id/void` → `postGrantsIdVoid` (unique per method and path). */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/v1\//, '/')
    .split(/[/_.-]+/)
    .filter(Boolean)
    .map((w) => (w.startsWith(':') ? 'by-' + w.slice(1) : w))
    .flatMap((w) => w.split('-'))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return method.toLowerCase() + words.join('');
}

type RouteSchema = Record<string, any>;

function transformRoute({ schema, url, route }: { schema: RouteSchema; url: string; route: { method: string | string[] } }) {
  if (!schema || schema.hide) return { schema, url };
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  const s: RouteSchema = { ...schema };
  s.operationId ??= operationIdOf(method, url);
  const signed = Array.isArray(s.security) && s.security.some((r: Record<string, unknown>) => 'signature' in r);
  const admin = url.startsWith('/v1/admin/') && url !== '/v1/admin/login';
  s.security = signed ? SIGNED : admin ? SESSION : (s.security ?? []);
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries<any>(s.response ?? {})) {
    const isProblemRef = r && (r.$ref === 'Problem#' || r.$ref === 'Problem' || r.$id === 'Problem');
    responses[status] = Number(status) >= 400 && (isProblemRef || !r) ? problemResponse(status) : r;
  }
  // routes that answer without a declared body (logout, verify, …) still document their success
  if (!Object.keys(responses).some((k) => k.startsWith('2'))) responses['200'] = { description: 'Success', type: 'object', additionalProperties: true };
  const statuses = new Set(Object.keys(responses));
  const add = (code: string) => {
    if (!statuses.has(code)) responses[code] = problemResponse(code);
  };
  add('400');
  if (signed) {
    add('401');
    add('429');
  }
  if (admin) {
    add('401');
    add('403');
  }
  if (url.startsWith('/v1/redeem/') || url === '/v1/admin/login') add('429');
  if (!url.startsWith('/v1/callbacks/')) add('503');
  s.response = responses;
  // a POST on the signed API needs an Idempotency-Key (the route answers idempotency_key_required without one)
  if (signed && method === 'POST' && s.headers?.properties?.['idempotency-key']) {
    s.headers = { ...s.headers, required: [...new Set([...(s.headers.required ?? []), 'idempotency-key'])] };
  }
  if (s['x-multipart-body']) {
    s.consumes = ['multipart/form-data'];
    s.body = s['x-multipart-body'];
    delete s['x-multipart-body'];
  }
  return { schema: s, url };
}

export function swaggerOptions(publicUrl: string, tags: Array<{ name: string; description: string }>): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Quanyi API',
        version: '0.1.0',
        description:
          'Issue digital entitlements (card codes, direct recharges, links). Client requests are signed with four ' +
          'headers (see the security schemes); every POST takes an Idempotency-Key. Errors are ' +
          'application/problem+json with a stable `code`:\n\n| code | status | meaning |\n|---|---|---|\n' + codeTable,
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          ...Object.fromEntries(Object.entries(SIGNING_HEADERS).map(([k, v]) => [k, { type: 'apiKey', in: 'header', name: v.name, description: v.description }])),
          session: { type: 'apiKey', in: 'cookie', name: 'quanyi_session', description: 'Admin session from POST /v1/admin/login' },
        },
      },
      tags,
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    transform: transformRoute as never,
  };
}
