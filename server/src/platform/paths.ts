import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Files the server reads at run time (migrations, H5 scripts, the console build) are found from the server
// package's directory, the one holding migrations/ and package.json. This code runs from src/platform/
// (through tsx, and in tests) or compiled into dist/quanyi.mjs (scripts/build.mjs), so the directory is
// looked up rather than counted.
function findServerRoot(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'migrations')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  throw new Error(`cannot find the server's directory (with migrations/) above ${start}`);
}

export const SERVER_ROOT = findServerRoot();
