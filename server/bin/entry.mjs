// Which code `quanyi` runs (bin/quanyi.mjs): the compiled server, dist/quanyi.mjs from scripts/build.mjs,
// while it is newer than every source file; otherwise the TypeScript sources through tsx. A checkout works
// without a build step, and an edited source is never shadowed by a stale build. QUANYI_FROM_SOURCE=1 always
// runs the sources.
import fs from 'node:fs';
import path from 'node:path';

/** true when some non-test .ts file under dir was changed after `since` (ms since the epoch) */
function changedSince(dir, since) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (changedSince(p, since)) return true;
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && fs.statSync(p).mtimeMs > since) return true;
  }
  return false;
}

/** `{ file, compiled }`: the module whose `main(argv)` to run, under the server directory `root`. */
export function chooseEntry(root, env = process.env) {
  const compiled = path.join(root, 'dist/quanyi.mjs');
  const source = { file: path.join(root, 'src/cli/main.ts'), compiled: false };
  if (env.QUANYI_FROM_SOURCE === '1') return source;
  let builtAt;
  try {
    builtAt = fs.statSync(compiled).mtimeMs;
  } catch {
    return source; // no build yet
  }
  return changedSince(path.join(root, 'src'), builtAt) ? source : { file: compiled, compiled: true };
}
