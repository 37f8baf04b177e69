import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // builds the migrated embedded-database template every test file starts from (testutil/database.ts)
    globalSetup: ['src/testutil/global-setup.ts'],
    // 2 cores: each file gets its own database; two files at a time keeps the machine responsive
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    pool: 'forks',
  },
});
