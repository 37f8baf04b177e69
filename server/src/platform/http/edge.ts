import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../error-codes.ts';
import { fail } from '../errors.ts';
import { sendProblem, toAppError } from './problem.ts';
import { assertStorable, assertStorableQuery } from './text-safety.ts';

// The edge: everything a client can get wrong before a route runs answers application/problem+json with a
// stable code — broken request lines and headers (Node's parser), undecodable URLs and over-long path
// parameters (Fastify's router), strings PostgreSQL cannot store, and cross-site admin writes.

/** Fastify options that route its own early errors through our problem format. */
export function edgeServerOptions(): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (error, req, reply) => sendProblem(req, reply, toAppError(error)),
    clientErrorHandler,
  };
}

const CLIENT_ERRORS: Record<string, ErrorCode> = {
  HPE_HEADER_OVERFLOW: 'headers_too_large',
  ERR_HTTP_REQUEST_TIMEOUT: 'request_timeout',
  HPE_HEADERS_TIMEOUT: 'request_timeout',
};

/**
 * A request Node's HTTP parser refused (no route, no request object yet): answered on the socket. The error
 * is never logged whole — its rawPacket holds the request bytes, cookies included.
 */
function clientErrorHandler(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const code: ErrorCode = CLIENT_ERRORS[err.code ?? ''] ?? 'bad_request';
  const { status, title } = ERROR_CODES[code];
  this.log.debug({ parser_error: err.code }, 'client error');
  const body = JSON.stringify({
    type: 'about:blank',
    status,
    code,
    title,
    detail: ERROR_CODES[code].description,
    request_id: 'req_' + randomBytes(10).toString('hex'),
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Admin routes authenticate with a cookie, which a browser attaches to cross-site requests too (SameSite
 * is not enough: body-less POSTs need no preflight, and a sibling subdomain is "same-site"). So a
 * state-changing admin request that a browser marks as coming from another origin is refused outright.
 * Requests without Origin / Sec-Fetch-Site (the CLI, curl) carry no ambient credentials to abuse.
 */
function crossSite(req: FastifyRequest, publicUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  let own: string;
  try {
    own = new URL(publicUrl).origin;
  } catch {
    own = '';
  }
  // the Host the browser addressed is ours too (a PUBLIC_URL behind a proxy may differ from it); an
  // attacker's page cannot make the browser send our cookie with a Host of its own choosing
  return origin !== own && origin !== `${req.protocol}://${req.host}`;
}

export function installEdge(app: FastifyInstance, opts: { publicUrl: () => string }) {
  app.addHook('onRequest', async (req) => {
    assertStorable(req.params, 'A path parameter');
    assertStorableQuery(req.url);
    if (STATE_CHANGING.has(req.method) && req.url.toLowerCase().startsWith('/v1/admin/') && crossSite(req, opts.publicUrl())) {
      throw fail('cross_site_request', 'Admin changes must come from the console on this server’s own origin.');
    }
  });
}
