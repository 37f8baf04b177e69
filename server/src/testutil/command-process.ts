import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

// One `quanyi` command as a real process, registered on a bare commander program as the module list registers
// it on `quanyi` (for the sandboxes: what matters is the process — its flags, its output, its signals). The
// children a test leaves running are killed after it.

export interface CommandProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  out(): string;
  err(): string;
}

/** `run(args, env)` starts `quanyi …args` with only the command `register` (exported by `cliFile`). */
export function commandProcess(cliFile: string, register: string) {
  const entry = `import { Command } from 'commander';
import { ${register} } from ${JSON.stringify(cliFile)};
const program = new Command('quanyi').exitOverride();
${register}(program);
try { await program.parseAsync(process.argv.slice(1), { from: 'user' }); } catch { process.exitCode = process.exitCode || 2; }`;
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });
  return function run(args: string[], env: Record<string, string> = {}): CommandProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    return { child, exited, out: () => out, err: () => err };
  };
}

/** The URL a sandbox prints once it listens (`… listening at http://…`), or undefined if it exits or 30 s pass. */
export async function listeningUrl(p: CommandProcess): Promise<string | undefined> {
  const start = Date.now();
  while (!/listening at (http:\/\/\S+)/.test(p.out()) && Date.now() - start < 30_000 && p.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  return /listening at (http:\/\/\S+)/.exec(p.out())?.[1];
}
