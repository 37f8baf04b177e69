import { AppError } from '../errors.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';

// Exit codes scripts can rely on.
export const EXIT = { ok: 0, failure: 1, usage: 2, invalid: 3, conflict: 4, notFound: 5, locked: 6, integrity: 7 } as const;

export function printJson(value: unknown) {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Prints an error (JSON on stdout with --json, text on stderr otherwise) and returns its exit code. */
export function reportError(e: unknown, json: boolean): number {
  let code: number = EXIT.failure;
  let body: Record<string, unknown>;
  if (e instanceof AppError) {
    code = e.status === 409 ? EXIT.conflict : e.status === 404 ? EXIT.notFound : e.status < 500 ? EXIT.invalid : EXIT.failure;
    body = { error: e.code, detail: e.detail, ...(e.errors ? { errors: e.errors } : {}), ...e.extra };
  } else if (e instanceof DataDirLockedError) {
    code = EXIT.locked;
    body = { error: 'data_dir_locked', detail: e.message, holder_pid: e.holder.pid };
  } else {
    body = { error: 'failed', detail: e instanceof Error ? e.message : String(e) };
  }
  if (json) printJson(body);
  else {
    process.stderr.write(`error: ${body.detail}\n`);
    for (const f of (body.errors as { field: string; message: string }[] | undefined) ?? []) process.stderr.write(`  ${f.field}: ${f.message}\n`);
  }
  return code;
}
