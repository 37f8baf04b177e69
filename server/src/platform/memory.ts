import v8 from 'node:v8';

/**
 * Keeps the long-running server's heap close to what it holds. V8 sizes the old generation from the machine's
 * memory (about 4 GB here) and, after each full collection, lets it grow by up to 4× what survived: a burst of
 * short-lived objects (a 100,000-row list read, validated and written in 5 s) lifted a server that holds
 * ~60 MB to 303 MB resident. Growing by 20% instead kept that run at 183 MB, issuing just as fast
 * (`npm run bench -- --only=bulk --redis`, docs/benchmarks.md). V8 reads this flag at every collection, so it
 * can be set after start; the heap's size limit cannot (that stays NODE_OPTIONS=--max-old-space-size).
 * An operator's own --heap-growing-percent (NODE_OPTIONS) wins.
 */
export const HEAP_GROWING_PERCENT = 20;

export function keepHeapCompact(
  execArgv: string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
  setFlags: (flags: string) => void = (f) => v8.setFlagsFromString(f),
): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent/.test(a))) return false;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
