import { ensurePgliteTemplate } from './database.ts';

// Runs once per `vitest run`, before any test file: builds the migrated embedded-database template every
// file starts from (see database.ts), so parallel workers never each build their own.
export default async function setup() {
  if (!process.env.TEST_DATABASE_URL) await ensurePgliteTemplate();
}
