import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqualHex } from '../crypto/server-secrets.ts';
import { AppError, unauthorized } from '../errors.ts';
import type { NonceStore } from './nonce-store.ts';
import type { RateLimit } from '../http/rate-limit.ts';
import type { AppContext } from '../context.ts';
import { sign, stringToSign } from './signing.ts';
import { assertScope } from './permissions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    client?: { id: string; key_id: string; name: string; scopes: string[] };
  }
}

/** Finds a client system by key id with its signing secret. The clients module implements it. */
export interface ClientResolver {
  byKeyId(keyId: string): Promise<{ client: { id: string; key_id: string; name: string; scopes: string[]; status: string }; secret: Buffer } | null>;
  /** drops a cached entry (after a change to that client), in every process */
  forget(keyId: string): void;
  close?(): Promise<void>;
}

export interface ClientAuthDeps {
  clients: ClientResolver;
  nonces: NonceStore;
  clockSkewSeconds: number;
  /** requests per client key; over it, 429 with Retry-After */
  perClient?: RateLimit | null;
}

/** The signing checks as configured for this deployment. */
export function clientAuthOf(ctx: AppContext): ClientAuthDeps {
  return { clients: ctx.clients, nonces: ctx.nonces, clockSkewSeconds: ctx.config.clockSkewSeconds, perClient: ctx.limits.perClient };
}

/** preValidation hook (after body parsing: the signature covers the raw body): verifies the request signature, timestamp and nonce, then the scope. */
export function requireClient(deps: ClientAuthDeps, scope: string) {
  assertScope(scope);
  return async function verifyClient(req: FastifyRequest, reply: FastifyReply) {
    const keyId = header(req, 'x-quanyi-key');
    const timestamp = header(req, 'x-quanyi-timestamp');
    const nonce = header(req, 'x-quanyi-nonce');
    const signature = header(req, 'x-quanyi-signature');
    if (!keyId || !timestamp || !nonce || !signature) {
      throw unauthorized('missing_signature', 'Sign the request: X-Quanyi-Key, X-Quanyi-Timestamp, X-Quanyi-Nonce and X-Quanyi-Signature are required.');
    }
    if (!/^\d{1,12}$/.test(timestamp)) throw unauthorized('invalid_timestamp', 'X-Quanyi-Timestamp must be Unix seconds.');
    const skew = Math.abs(Date.now() / 1000 - Number(timestamp));
    if (skew > deps.clockSkewSeconds) {
      throw unauthorized('timestamp_out_of_window', `X-Quanyi-Timestamp is ${Math.round(skew)} s away from server time; at most ${deps.clockSkewSeconds} s is accepted.`);
    }
    if (nonce.length < 16 || nonce.length > 128 || !/^[\x21-\x7e]+$/.test(nonce)) {
      throw unauthorized('invalid_nonce', 'X-Quanyi-Nonce must be 16–128 printable characters.');
    }
    const found = await deps.clients.byKeyId(keyId);
    const expected = found ? sign(found.secret, stringToSign(req.method, req.url, timestamp, nonce, req.rawBody)) : '';
    // exactly 64 hex digits (either case), nothing before or after
    if (!found || !/^[0-9a-fA-F]{64}$/.test(signature) || !safeEqualHex(expected, signature.toLowerCase())) {
      throw unauthorized('invalid_signature', 'The signature does not match the request. Check the key, secret and string-to-sign.');
    }
    if (found.client.status !== 'active') throw unauthorized('client_disabled', 'This client key is disabled.');
    // checked after the signature so that nobody can burn another client's nonces
    if (!(await deps.nonces.remember(found.client.id, nonce, deps.clockSkewSeconds * 2))) {
      throw unauthorized('nonce_reused', 'This X-Quanyi-Nonce was already used; send a fresh nonce with every request.');
    }
    await deps.perClient?.consume(found.client.id, reply);
    if (!found.client.scopes.includes(scope)) {
      throw new AppError(403, 'insufficient_scope', 'Forbidden', `This client key lacks the ${scope} scope.`);
    }
    req.client = { id: found.client.id, key_id: found.client.key_id, name: found.client.name, scopes: found.client.scopes };
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
