import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.ts';
import type { JobDefinition } from './jobs/jobs.ts';
import type { Role } from './db/schema.ts';

// What a module declares about itself (DESIGN §4). `modules/index.ts` holds THE list of modules; the app,
// the job runner, RBAC, OpenAPI and the CLI are composed from it. Nothing else registers anything.

/** A background loop owned by a module (expiry sweep, balance polling, event dispatch …). */
export interface Worker {
  name: string;
  start(ctx: AppContext): { stop(): Promise<void> };
}

/** What a CLI command needs: runs `fn` with an opened runtime, prints errors and sets the exit code. */
export interface CommandEnv {
  run(name: string, json: boolean, fn: (ctx: AppContext) => Promise<number | void>): Promise<void>;
}

export interface ModuleDefinition {
  name: string;
  /** registers the module's HTTP routes */
  routes?: (app: FastifyInstance, deps: { ctx: AppContext }) => Promise<void>;
  /** job kinds this module runs, each with its policy */
  jobs?: Record<string, JobDefinition>;
  /** admin permissions this module checks, and the roles that hold them */
  permissions?: Record<string, readonly Role[]>;
  /** client-key scopes this module checks */
  scopes?: readonly string[];
  /** OpenAPI tags of its routes */
  tags?: ReadonlyArray<{ name: string; description: string }>;
  /** adds its `quanyi` sub-commands */
  cli?: (program: Command, env: CommandEnv) => void;
  workers?: readonly Worker[];
}

/**
 * A worker that runs `work` every `everyMs` (housekeeping: pruning, sweeps), never two runs at once, and
 * waits for a running one on stop. A failure is reported to `onError` and the next interval tries again.
 */
export function periodicWorker(name: string, everyMs: number, work: (ctx: AppContext) => Promise<unknown>, onError: (ctx: AppContext, e: Error) => void = () => {}): Worker {
  return {
    name,
    start(ctx) {
      let running: Promise<void> | null = null;
      const timer = setInterval(() => {
        running ??= work(ctx)
          .then(() => undefined, (e: Error) => onError(ctx, e))
          .finally(() => (running = null));
      }, everyMs);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
