import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { fail } from '../errors.ts';
import { sendProblem } from './problem.ts';

// Liveness and readiness, for a load balancer or an orchestrator:
//   GET /healthz  the process runs (never touches the database: a lost database must not get us restarted);
//   GET /readyz   the database answers: 200, or 503 problem+json with Retry-After within a bounded time, so
//                 traffic goes elsewhere until it is back.
export function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (req, reply) => {
    const limitMs = ctx.config.dbTimeouts.connectTimeoutMs + 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)));
    const probe = sql`SELECT 1`.execute(ctx.db).then(
      () => 'up' as const,
      () => 'down' as const,
    );
    const state = await Promise.race([probe, timedOut]);
    clearTimeout(timer);
    reply.header('cache-control', 'no-store');
    if (state === 'up') return { ok: true, database: 'up' };
    reply.header('retry-after', String(ctx.config.unavailableRetryAfterSeconds));
    return sendProblem(req, reply, fail('service_unavailable', 'The database does not answer.', { database: 'down' }));
  });
}
