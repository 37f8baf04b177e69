import { Command } from 'commander';
import { vi } from 'vitest';
import { registerModuleCommands } from '../compose.ts';
import { EXIT, reportError } from '../platform/cli/output.ts';
import type { CommandEnv } from '../platform/module.ts';
import type { Harness } from './harness.ts';

// `quanyi …` in-process on a harness's database: the real command tree composed from the module list, its
// output captured (a child process per command costs seconds).
export async function runHarnessCli(h: Harness, ...args: string[]): Promise<{ code: number; stdout: string; json: any }> {
  const env: CommandEnv = {
    async run(_name, json, fn) {
      try {
        process.exitCode = (await fn(h.ctx)) ?? EXIT.ok;
      } catch (e) {
        process.exitCode = reportError(e, json);
      }
    },
  };
  const program = new Command('quanyi').exitOverride();
  registerModuleCommands(program, env);
  let stdout = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'quanyi', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  let json: any;
  try {
    json = JSON.parse(stdout);
  } catch {
    json = undefined;
  }
  return { code, stdout, json };
}

