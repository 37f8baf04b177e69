import type { Command } from 'commander';
import { loadConfig, type Config } from '../../platform/config.ts';
import { openAppRuntime, startModuleWorkers } from '../../compose.ts';
import { seedDemo } from '../../flows/seed-demo.ts';
import { DEMO_RECHARGE_SKU, restartDemoSandboxes, seedDemoRecharge } from '../../flows/demo-suppliers.ts';
import { startDemoSms } from '../../flows/demo-sms.ts';
import { startJobRunner } from '../../platform/jobs/runner.ts';
import { startEmbeddedMaintenance } from '../../platform/db/maintenance.ts';
import { reportError } from '../../platform/cli/output.ts';
import { keepHeapCompact } from '../../platform/memory.ts';
import type { App } from '../../app.ts';
import type { AppContext } from '../../platform/context.ts';

/**
 * Demo data belongs to the embedded database of a first start (`npm start` on a fresh checkout). A PostgreSQL
 * named by DATABASE_URL may be production: there only QUANYI_DEMO=true allows it.
 */
export const demoAllowed = (config: Config) => !config.databaseUrl || config.demoOnPostgres;

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('run the HTTP API, the pages and the background workers')
    .option('--demo', 'on an empty database, create demo products, an admin login and a client key')
    .option('--no-workers', 'serve HTTP only (run workers in another process)')
    .action(async (opts: { demo?: boolean; workers: boolean }) => {
      let ctx: AppContext | undefined;
      let app: App | undefined;
      const stops: Array<() => Promise<void>> = [];
      try {
        keepHeapCompact();
        const config = loadConfig();
        let lastDbError = 0;
        ctx = await openAppRuntime(config, 'quanyi serve', {
          warn: (m) => process.stderr.write(`warning: ${m}\n`),
          // a pooled connection failed (database restarted, backend terminated, network lost): the process
          // stays up and requests answer 503 until it is back; say so at most every 10 s
          onDatabaseError: (e) => {
            if (Date.now() - lastDbError < 10_000) return;
            lastDbError = Date.now();
            (app?.log ?? console).warn(`database connection lost: ${e.message}`);
          },
        });
        // loaded here, not at the top: the HTTP stack is only needed by `serve`, and every other command starts faster
        const { buildApp } = await import('../../app.ts');
        app = await buildApp(ctx);
        // listen before seeding: if the port is taken, the demo credentials must not be created unseen
        await app.listen({ port: config.port, host: config.host });
        const demo = opts.demo && demoAllowed(config) ? await seedDemo(ctx) : null;
        let demoSms: Awaited<ReturnType<typeof startDemoSms>> = null;
        // the demo's direct recharge: sandbox suppliers in this process (created with the demo, restarted after)
        if (opts.demo && demoAllowed(config)) {
          const sandboxes = demo ? await seedDemoRecharge(ctx) : await restartDemoSandboxes(ctx, (m) => process.stderr.write(`warning: ${m}\n`));
          for (const s of sandboxes) stops.push(() => s.close());
          demoSms = await startDemoSms(ctx);
          if (demoSms) stops.push(demoSms.close);
        }
        if (opts.workers) {
          const log = app.log;
          stops.push(...startModuleWorkers(ctx));
          const { fastConcurrency: fast, bulkConcurrency: bulk } = config.jobs;
          const runner = startJobRunner(ctx, {
            concurrency: { ...(fast ? { fast } : {}), ...(bulk ? { bulk } : {}) },
            onError: (job, err) => log.warn({ job: job.id, kind: job.kind, err: (err as Error)?.message }, 'job run failed'),
          });
          stops.push(() => runner.stop());
          const maintenance = startEmbeddedMaintenance(ctx.database, { onError: (e) => log.warn({ err: e }, 'maintenance failed') });
          stops.push(maintenance.stop);
        }
        const url = config.publicUrl;
        const lines = [`\nQuanyi is running at ${url}  (API docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`];
        lines.push(config.databaseUrl ? 'Database: PostgreSQL (DATABASE_URL)' : `Database: embedded, in ${config.dataDir}`);
        if (opts.demo && !demoAllowed(config)) {
          lines.push('Demo data: not created (DATABASE_URL is set and may be production). Set QUANYI_DEMO=true to seed this database.');
        }
        if (demoSms) lines.push(`SMS: sandbox gateway (no ALIYUN_SMS_* set); verification codes sent are listed at ${demoSms.url}_sandbox/messages`);
        if (demo) {
          lines.push(
            '',
            'Demo data created (shown only this once — write it down):',
            `  admin login:   ${demo.admin.email} / ${demo.admin.password}   (POST ${url}/v1/admin/login)`,
            `  client key:    ${demo.client.key_id}`,
            `  client secret: ${demo.client.secret}`,
            `  products:      ${demo.products.map((p) => p.sku).join(', ')} (100 demo codes each)`,
            `  direct recharge: ${DEMO_RECHARGE_SKU} through two sandbox suppliers (failover a → b); send recipient.account`,
            '  Lost them? `npx quanyi admin create …` and `npx quanyi clients create …` make new ones.',
          );
        }
        process.stdout.write(lines.join('\n') + '\n\n');
        let closing = false;
        const shutdown = async () => {
          if (closing) return;
          closing = true;
          await app!.close();
          for (const stop of stops) await stop().catch(() => undefined);
          await ctx!.close();
          process.exit(0);
        };
        process.on('SIGINT', shutdown);
        process.on('SIGTERM', shutdown);
      } catch (e) {
        process.exitCode = reportError(e, false);
        // release everything, or open handles (pool, workers) would keep a failed server process alive
        for (const stop of stops) await stop().catch(() => undefined);
        await app?.close().catch(() => undefined);
        await ctx?.close().catch(() => undefined);
      }
    });
}
