import { createPostgresTemplate, ensureTemplateDataDir, PG_TEMPLATE_ENV } from './database.ts';

// Runs once per `vitest run`, before any test file: builds the migrated database every test file starts
// from (see database.ts), so parallel workers never each build or migrate their own. Embedded: a PGlite
// data directory dumped as a tar, and loaded once into a directory to copy (both kept between runs, keyed by
// the migrations). PostgreSQL: a template database for `CREATE DATABASE … TEMPLATE`, made for this run and
// dropped after it; the workers, started after this, find its name in their environment.
export default async function setup() {
  // the tar and its on-disk copy (seedEmbeddedDataDir), also on PostgreSQL: the tests of the `quanyi` command
  // on a data directory use them
  await ensureTemplateDataDir();
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return;
  const template = await createPostgresTemplate(serverUrl);
  process.env[PG_TEMPLATE_ENV] = template.name;
  return async () => {
    delete process.env[PG_TEMPLATE_ENV];
    await template.drop();
  };
}
