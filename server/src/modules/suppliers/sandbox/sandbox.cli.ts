// `quanyi sandbox supplier …`: runs the sandbox supplier until SIGINT/SIGTERM. Every knob is a flag
// (--latency-ms 100, --fail-rate 0.1, --error-code 3003 --error-next 5, …), generated from the knob table so
// the CLI and `POST /_sandbox/knobs` never disagree. It needs no database and opens no runtime.
import type { Command } from 'commander';
import { applyKnobs, DEFAULT_KNOBS, KNOB_NAMES, knobFromText, type SandboxKnobs } from './knobs.ts';
import { startSandboxSupplier } from './sandbox.server.ts';

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** adds `sandbox supplier` (and the `sandbox` group when no other module added it yet) */
export function registerSandboxCommand(program: Command) {
  const group = program.commands.find((c) => c.name() === 'sandbox') ?? program.command('sandbox').description('stand-ins for outside systems, for demos and tests');
  const cmd = group
    .command('supplier')
    .description('run a sandbox supplier speaking the fulu gateway protocol (DESIGN §11) with fault knobs')
    .option('--port <n>', 'port to listen on', '9100')
    .option('--host <host>', 'interface to listen on (the admin routes are open: keep it local)', '127.0.0.1')
    .requiredOption('--app-key <key>', 'the app_key clients must use')
    .option('--app-secret <secret>', 'the app_secret (or SANDBOX_APP_SECRET, which keeps it out of the process list)');
  for (const name of KNOB_NAMES) cmd.option(`--${kebab(name)} <value>`, `knob ${name}`);
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const appSecret = opts.appSecret ?? process.env.SANDBOX_APP_SECRET;
    if (!appSecret) {
      process.stderr.write('error: give --app-secret or SANDBOX_APP_SECRET\n');
      process.exitCode = 2;
      return;
    }
    const port = Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write('error: --port must be 0…65535\n');
      process.exitCode = 2;
      return;
    }
    const patch: Partial<Record<keyof SandboxKnobs, unknown>> = {};
    for (const name of KNOB_NAMES) {
      const text = opts[camel(kebab(name))];
      if (text !== undefined) patch[name] = knobFromText(name, text);
    }
    const problems = applyKnobs({ ...DEFAULT_KNOBS }, patch);
    if (problems.length) {
      for (const p of problems) process.stderr.write(`error: --${kebab(p.split(':')[0])}${p.slice(p.indexOf(':'))}\n`);
      process.exitCode = 2;
      return;
    }
    let sandbox;
    try {
      sandbox = await startSandboxSupplier({ appKey: opts.appKey!, appSecret, port, host: opts.host, knobs: patch as Partial<SandboxKnobs> });
    } catch (e) {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(
      [
        `Sandbox supplier listening at ${sandbox.url}`,
        `  gateway:   POST ${sandbox.url}   (app_key ${opts.appKey})`,
        `  bills:     GET  ${sandbox.url}/bills/YYYY-MM-DD.csv`,
        `  knobs:     GET|POST ${sandbox.url}/_sandbox/knobs   stats: GET ${sandbox.url}/_sandbox/stats`,
        `  callbacks: ${sandbox.knobs.callbackUrl ?? 'none (set --callback-url)'}`,
        '',
      ].join('\n'),
    );
    const stop = async () => {
      await sandbox.close().catch(() => undefined);
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
