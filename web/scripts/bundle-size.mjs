// Gzipped JavaScript a route loads: the entry chunk plus a page's lazy chunk and everything they import
// (from Vite's manifest). Budget (issue 6): login + dashboard ≤ 600 KB. Run after `vite build --manifest`
// (npm run -w web size); exits 1 when a route is over its budget.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const gz = (file) => zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;

function closure(keys) {
  const seen = new Set();
  const visit = (k) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of manifest[k].imports ?? []) visit(i);
  };
  keys.forEach(visit);
  return [...seen].map((k) => manifest[k].file);
}

const pages = Object.keys(manifest).filter((k) => k.startsWith('src/pages/'));
const routes = { 'login + dashboard': ['index.html', 'src/pages/login/index.tsx', 'src/pages/dashboard/index.tsx'] };
for (const p of pages) routes[p.split('/')[2]] = ['index.html', p];
const kb = (n) => (n / 1024).toFixed(1) + ' KB';
const BUDGET = { 'login + dashboard': 600 * 1024 };
let over = false;
for (const [name, keys] of Object.entries(routes)) {
  const files = closure(keys);
  const bytes = files.reduce((s, f) => s + gz(f), 0);
  console.log(`${name.padEnd(20)} ${kb(bytes).padStart(10)} gzipped JS in ${files.length} files`);
  if (BUDGET[name] && bytes > BUDGET[name]) {
    console.error(`${name}: ${kb(bytes)} is over its budget of ${kb(BUDGET[name])}`);
    over = true;
  }
}
// CI runs this (.ci/run): a page that pulls a heavy import into the first load fails the build, not a later audit
if (over) process.exit(1);
