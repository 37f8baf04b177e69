import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseEntry } from '../../bin/entry.mjs';

// bin/quanyi.mjs runs the compiled server only while it is newer than every source file: a developer's edit
// must never be shadowed by a stale dist/quanyi.mjs.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function serverDir(files: Record<string, number>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-entry-'));
  dirs.push(root);
  for (const [file, mtimeSec] of Object.entries(files)) {
    const p = path.join(root, file);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, '');
    fs.utimesSync(p, mtimeSec, mtimeSec);
  }
  return root;
}

describe('which code `quanyi` runs', () => {
  it('the sources when nothing is built', () => {
    const root = serverDir({ 'src/cli/main.ts': 1000 });
    expect(chooseEntry(root, {})).toEqual({ file: path.join(root, 'src/cli/main.ts'), compiled: false });
  });

  it('the build while it is newer than every source; the sources once one is edited after it', () => {
    const root = serverDir({ 'src/cli/main.ts': 1000, 'src/modules/a/b.ts': 1100, 'dist/quanyi.mjs': 2000 });
    expect(chooseEntry(root, {})).toEqual({ file: path.join(root, 'dist/quanyi.mjs'), compiled: true });
    fs.utimesSync(path.join(root, 'src/modules/a/b.ts'), 3000, 3000);
    expect(chooseEntry(root, {}).compiled).toBe(false);
  });

  it('a test file edited after the build does not matter (it is not in the build); QUANYI_FROM_SOURCE=1 always runs the sources', () => {
    const root = serverDir({ 'src/cli/main.ts': 1000, 'src/cli/main.test.ts': 3000, 'dist/quanyi.mjs': 2000 });
    expect(chooseEntry(root, {}).compiled).toBe(true);
    expect(chooseEntry(root, { QUANYI_FROM_SOURCE: '1' }).compiled).toBe(false);
  });
});
