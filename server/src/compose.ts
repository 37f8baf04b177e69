import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Config } from './platform/config.ts';
import { createContext, type AppContext, type ContextServices } from './platform/context.ts';
import type { Database } from './platform/db/db.ts';
import type { Keyring } from './platform/crypto/keyring.ts';
import { registerPermissions, registerScopes } from './platform/auth/permissions.ts';
import { registerJobs } from './platform/jobs/registry.ts';
import type { CommandEnv } from './platform/module.ts';
import { openRuntime } from './platform/runtime.ts';
import { MODULES } from './modules/index.ts';
import { ClientDirectory } from './modules/clients/index.ts';
import { SessionDirectory } from './modules/identity/index.ts';

// The composition root: everything that is built from THE module list.

// permissions, scopes and job kinds are known as soon as anything imports this file
for (const m of MODULES) {
  if (m.permissions) registerPermissions(m.permissions);
  if (m.scopes) registerScopes(m.scopes);
  if (m.jobs) registerJobs(m.jobs);
}

export const contextServices: ContextServices = {
  clients: ({ db, keyring, redis, redisPrefix }) => new ClientDirectory(db, keyring, { redis, redisPrefix }),
  // embedded: sessions are cached briefly (an import may hold the only connection)
  sessions: ({ db, database }) => new SessionDirectory(db, database.kind === 'pglite' ? 15_000 : 0),
};

export const createAppContext = (config: Config, database: Database, keyring: Keyring) => createContext(config, database, keyring, contextServices);

export const openAppRuntime = (config: Config, command: string, opts: { warn?: (msg: string) => void; onDatabaseError?: (err: Error) => void } = {}) =>
  openRuntime(config, command, contextServices, opts);

export async function registerModuleRoutes(app: FastifyInstance, ctx: AppContext) {
  for (const m of MODULES) if (m.routes) await app.register(m.routes, { ctx });
}

export const moduleTags = () => MODULES.flatMap((m) => m.tags ?? []);

export function registerModuleCommands(program: Command, env: CommandEnv) {
  for (const m of MODULES) m.cli?.(program, env);
}

/** Starts every module's background workers; returns their stops. */
export function startModuleWorkers(ctx: AppContext): Array<() => Promise<void>> {
  return MODULES.flatMap((m) => m.workers ?? []).map((w) => w.start(ctx).stop);
}
