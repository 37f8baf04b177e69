import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, vi } from 'vitest';
import { registerModuleCommands } from '../compose.ts';
import { EXIT, reportError } from '../platform/cli/output.ts';
import type { CommandEnv } from '../platform/module.ts';
import { createHarness, type Harness } from './harness.ts';

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

/**
 * For a test file of `quanyi` commands on a harness: the harness (made in beforeAll, closed in afterAll), a
 * scratch directory (removed after the file), and `quanyi(...args)` running a command on the harness's database.
 */
export function harnessCliEnvironment(prefix: string) {
  const env = {
    h: undefined as unknown as Harness,
    dir: fs.mkdtempSync(path.join(os.tmpdir(), prefix)),
    quanyi: (...args: string[]) => runHarnessCli(env.h, ...args),
  };
  beforeAll(async () => {
    env.h = await createHarness();
  });
  afterAll(async () => {
    await env.h?.close();
    fs.rmSync(env.dir, { recursive: true, force: true });
  });
  return env;
}
