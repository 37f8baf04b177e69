import { Command, CommanderError } from 'commander';
import { loadConfig } from '../platform/config.ts';
import { openAppRuntime, registerModuleCommands } from '../compose.ts';
import type { CommandEnv } from '../platform/module.ts';
import type { AppContext } from '../platform/context.ts';
import { EXIT, reportError } from '../platform/cli/output.ts';
import { registerServe } from './commands/serve.ts';

// `quanyi …`: every command opens the same runtime (config from the environment, database, keyring); the
// commands come from the module list.
export type { CommandEnv };

export const commandEnv: CommandEnv = {
  async run(name, json, fn) {
    let ctx: AppContext | undefined;
    try {
      const config = loadConfig();
      ctx = await openAppRuntime(config, `quanyi ${name}`, { warn: (m) => process.stderr.write(`warning: ${m}\n`) });
      const code = await fn(ctx);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.exitCode = reportError(e, json);
    } finally {
      await ctx?.close().catch(() => undefined);
    }
  },
};

export function buildCli(): Command {
  const program = new Command('quanyi')
    .description('Quanyi (权益): stock digital entitlements securely and issue them through APIs and links.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerMigrate(program);
  registerModuleCommands(program, commandEnv);
  return program;
}

function registerMigrate(program: Command) {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .action(async () => {
      await commandEnv.run('migrate', false, async () => {
        process.stdout.write('database is up to date\n');
      });
    });
}

export async function main(argv: string[]) {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    process.exitCode = reportError(e, false);
  }
}
