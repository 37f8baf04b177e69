import type { FastifyServerOptions } from 'fastify';

// Redeem tokens travel in URLs; logs keep only a prefix so a log reader cannot redeem anything.
export function maskUrl(url: string): string {
  return url.replace(/(\/(?:r|redeem)\/)([A-Za-z0-9_-]{6})[A-Za-z0-9_-]*/g, '$1$2…');
}

export function loggerOptions(level: string): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-quanyi-signature"]',
        'req.headers["idempotency-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.secret',
        '*.code',
        '*.card_number',
        '*.token',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(req) {
        return { method: req.method, url: maskUrl(req.url), remoteAddress: req.ip };
      },
    },
  };
}
