// Builds the console when its sources are newer than the bundle (or there is none), so `npm start` and
// `npm test` always serve the current console without paying for a build when nothing changed (a stat of
// the source tree, ~10 ms). `--stamp` (run by `npm run build`) records that the bundle is current.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stamp = path.join(web, 'dist/.built');
// what the bundle is made from (generated API types excluded: they only type-check, the bundle has none)
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return /\/api\/(schema\.d\.ts|openapi\.json)$/.test(p) ? 0 : st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

if (process.argv.includes('--stamp')) {
  fs.writeFileSync(stamp, new Date().toISOString() + '\n');
} else {
  const built = fs.statSync(stamp, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(...SOURCES.map((s) => newest(path.join(web, s))));
  if (sources > built) {
    console.log('building the console (web/ changed since the last build)…');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: web, stdio: 'inherit' });
  }
}
