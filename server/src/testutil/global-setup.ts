import { createPostgresTemplate, ensurePgliteTemplate, PG_TEMPLATE_ENV } from './database.ts';

// Runs once per `vitest run`, before any test file: builds the migrated database every test file starts
// from (see database.ts), so parallel workers never each build or migrate their own. Embedded: a PGlite
// data directory dumped as a tar (kept between runs, keyed by the migrations). PostgreSQL: a template
// database for `CREATE DATABASE … TEMPLATE`, made for this run and dropped after it; the workers, started
// after this, find its name in their environment.
export default async function setup() {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    await ensurePgliteTemplate();
    return;
  }
  const template = await createPostgresTemplate(serverUrl);
  process.env[PG_TEMPLATE_ENV] = template.name;
  return async () => {
    delete process.env[PG_TEMPLATE_ENV];
    await template.drop();
  };
}
