import type { FastifyInstance, FastifySchema } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** every route as registered (method, url, schema): tests sweep them all, tooling can list them */
    routeList: { method: string; url: string; schema?: FastifySchema }[];
  }
}

/** Collects the routes registered after it (register it before any route). */
export function collectRoutes(app: FastifyInstance) {
  const list: FastifyInstance['routeList'] = [];
  app.decorate('routeList', list);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) list.push({ method, url: route.url, schema: route.schema });
  });
}
