// Writes the OpenAPI document the server serves at /openapi.json to a file (for `redocly lint` in CI and for
// client generators), from a throw-away embedded database.
import fs from 'node:fs';
import { buildApp } from '../src/app.ts';
import { createAppContext } from '../src/compose.ts';
import { loadConfig } from '../src/platform/config.ts';
import { Keyring } from '../src/platform/crypto/keyring.ts';
import { openPglite } from '../src/platform/db/db.ts';
import { migrate } from '../src/platform/db/migrate.ts';

const out = process.argv[2] ?? 'openapi.json';
const key = Buffer.alloc(32, 1);
const database = await openPglite(undefined);
await migrate(database);
const ctx = await createAppContext(loadConfig({ QUANYI_MASTER_KEY: key.toString('base64'), LOG_LEVEL: 'silent', PUBLIC_URL: 'https://quanyi.internal' }), database, new Keyring([key]));
const app = await buildApp(ctx, { logger: false });
fs.writeFileSync(out, JSON.stringify(app.swagger(), null, 2));
await app.close();
await ctx.close();
await database.close();
process.stdout.write(`wrote ${out}\n`);
