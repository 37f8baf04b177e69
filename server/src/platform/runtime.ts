import type { Config } from './config.ts';
import { createContext, type AppContext, type ContextServices } from './context.ts';
import { loadKeyring } from './crypto/keyring.ts';
import { openDatabase, openPostgres } from './db/db.ts';
import { migrate } from './db/migrate.ts';

// Opens everything a command needs: database (with migrations), keyring, context. Used by `serve` and
// by every CLI command, so they all agree on where data lives and how it is protected.
export async function openRuntime(
  config: Config,
  command: string,
  services: ContextServices,
  opts: { warn?: (msg: string) => void; onDatabaseError?: (err: Error) => void } = {},
): Promise<AppContext> {
  if (config.databaseUrl) {
    // migrations may run longer than any request may: their own connection, without statement timeouts
    const migrations = await openPostgres(config.databaseUrl, 1, { timeouts: { connectTimeoutMs: config.dbTimeouts.connectTimeoutMs } });
    try {
      await migrate(migrations);
    } finally {
      await migrations.close();
    }
  }
  const database = await openDatabase(
    { databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.dbPoolSize, timeouts: config.dbTimeouts, onError: opts.onDatabaseError },
    command,
  );
  try {
    if (!config.databaseUrl) await migrate(database);
    const { keyring, generated } = loadKeyring({
      masterKey: config.masterKey,
      dataDir: config.databaseUrl ? undefined : config.dataDir,
      allowGenerate: !config.databaseUrl,
    });
    if (generated) {
      opts.warn?.(
        `No QUANYI_MASTER_KEY was set: generated one into ${config.dataDir}/master.key (mode 0600). ` +
          'Back it up: without it the stored card codes cannot be decrypted. In production set QUANYI_MASTER_KEY.',
      );
    }
    const ctx = await createContext(config, database, keyring, services);
    const close = ctx.close;
    ctx.close = async () => {
      await close();
      await database.close();
    };
    return ctx;
  } catch (e) {
    await database.close();
    throw e;
  }
}
