import type { FastifyInstance } from 'fastify';
import { findUnstorable, invalidCharacters } from './text-safety.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** the body bytes exactly as received: request signatures are computed over them */
    rawBody?: Buffer;
  }
}

// JSON parsing that keeps the raw bytes for signature verification.
export function installJsonParser(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    const buf = body as Buffer;
    req.rawBody = buf;
    if (buf.length === 0) return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(buf.toString('utf8'));
    } catch {
      const err = new Error('invalid json') as Error & { code: string; statusCode: number };
      err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
      err.statusCode = 400;
      return done(err, undefined);
    }
    // NUL or a lone surrogate anywhere (values and keys) is refused here, once, for every route
    const bad = findUnstorable(parsed);
    done(bad ? invalidCharacters(bad) : null, bad ? undefined : parsed);
  });
}
