import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppContext } from './platform/context.ts';
import { loggerOptions } from './platform/http/logging.ts';
import { installProblemHandlers } from './platform/http/problem.ts';
import { installJsonParser } from './platform/http/raw-body.ts';
import { healthRoutes } from './platform/http/health.ts';
import { Problem } from './platform/http/schemas.ts';
import { collectRoutes } from './platform/http/route-list.ts';
import { edgeServerOptions, installEdge } from './platform/http/edge.ts';
import { swaggerOptions } from './platform/http/openapi.ts';
import { consoleRoutes } from './platform/http/console.ts';
import { moduleTags, registerModuleRoutes } from './compose.ts';
import { sharedCompilers } from './platform/http/schema-compilers.ts';

export type App = FastifyInstance;

export interface BuildOptions {
  logger?: boolean;
  /** where log lines go (default stdout); tests read them to prove that no secret is logged */
  logStream?: NodeJS.WritableStream;
}

export async function buildApp(ctx: AppContext, opts: BuildOptions = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger === false ? false : { ...loggerOptions(ctx.config.logLevel), ...(opts.logStream ? { stream: opts.logStream } : {}) },
    genReqId: () => 'req_' + randomBytes(10).toString('hex'),
    trustProxy: ctx.config.trustProxy,
    bodyLimit: 1024 * 1024,
    ...edgeServerOptions(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true } },
    schemaController: { compilersFactory: sharedCompilers as never },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  collectRoutes(app);
  installEdge(app, { publicUrl: () => ctx.config.publicUrl });
  installJsonParser(app);
  // An empty POST body validates as {}: `POST /v1/grants/{id}/void` needs no body, and a missing
  // body on other routes reports the missing fields instead of "body must be object".
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined && (req.method === 'POST' || req.method === 'PATCH') && !req.isMultipart()) req.body = {};
  });
  installProblemHandlers(app, { retryAfterSeconds: ctx.config.unavailableRetryAfterSeconds });
  app.addSchema(Problem);

  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 512 * 1024 * 1024, files: 1, fields: 20 } });
  await app.register(swagger, swaggerOptions(ctx.config.publicUrl, [...moduleTags(), { name: 'admin', description: 'Admin console API (session cookie)' }]));
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  healthRoutes(app, ctx);

  await registerModuleRoutes(app, ctx);
  // the operator console (web/dist) at /admin/
  await consoleRoutes(app);
  await app.ready();
  return app;
}
