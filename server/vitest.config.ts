import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    // expect.poll waits for something the app does on its own time (a job, a page's poll, a supplier's
    // callback): 1 s, vitest's default, is too short on this shared 2-core machine when seven browser cases
    // run at once (h5-pages on CI's PostgreSQL pass). A poll that succeeds returns at once; only a failing one
    // waits the full 10 s.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    // builds the migrated embedded-database template every test file starts from (testutil/database.ts)
    globalSetup: ['src/testutil/global-setup.ts'],
    // 2 cores, three files at a time: a worker often waits (on Chromium, a child process, a timer), and with
    // two the machine was a third idle (305 s); with three it is busy throughout (~270 s). Each file gets its
    // own database. Files share their worker process (isolate: false): a new process per file
    // cost ~3 s of CPU each (Node, the dependencies, compiling PGlite's WebAssembly), about half of the
    // suite's time. Both workers start at once and stay: a worker started late, near the end of the queue,
    // was once recycled with a file on it ("Terminating worker thread", the file never ran).
    // The project's modules are shared too (loading them afresh per file cost ~1 s a file): module-level
    // caches are keyed by database handle or by random ids, so no file's database leaks into the next, and
    // the app's compiled route schemas (platform/http/schema-compilers.ts) carry over from file to file.
    poolOptions: { forks: { maxForks: 3, minForks: 3, isolate: false } },
    pool: 'forks',
  },
});
