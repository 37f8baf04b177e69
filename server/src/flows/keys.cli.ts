import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { Keyring, KEY_FILE, writeKeyFile } from '../platform/crypto/keyring.ts';
import { appendAudit } from '../modules/audit/index.ts';
import { rewrapAll } from './rotate-master-key.ts';
import { printJson } from '../platform/cli/output.ts';
import type { CommandEnv } from '../platform/module.ts';

export function registerKeys(program: Command, env: CommandEnv) {
  const keys = program.command('keys').description('master keys');
  keys
    .command('generate')
    .description('print a new random master key (base64, 32 bytes)')
    .action(() => {
      process.stdout.write(randomBytes(32).toString('base64') + '\n');
    });
  keys
    .command('rotate')
    .description(
      're-wrap all data keys under a new master key. With a key file (embedded mode) a new key is generated and ' +
        'put first; with QUANYI_MASTER_KEY put the new key first in the comma-separated list, then run this.',
    )
    .option('--json', 'print JSON')
    .action(async (o) => {
      await env.run('keys rotate', Boolean(o.json), async (ctx) => {
        let keyring = ctx.keyring;
        const fromFile = !ctx.config.masterKey;
        if (fromFile) {
          // Write the new key first, keeping the old ones: a crash mid-rotation leaves every row readable.
          keyring = new Keyring([randomBytes(32), ...ctx.keyring.keys.map((k) => k.key)]);
          writeKeyFile(path.join(ctx.config.dataDir, KEY_FILE), keyring.keys.map((k) => k.key));
        }
        const counts = await ctx.db.transaction().execute(async (tx) => {
          const c = await rewrapAll(tx, keyring);
          await appendAudit(tx, { actor: 'cli', action: 'keys.rotate', target: keyring.current.id, details: { ...c, previous: ctx.keyring.current.id } });
          return c;
        });
        const result = { master_key_id: keyring.current.id, rewrapped: counts, old_keys_kept: keyring.keys.length - 1 };
        if (o.json) printJson(result);
        else
          process.stdout.write(
            `rotated to ${keyring.current.id}: re-wrapped ${counts.batches} batch keys, ${counts.clients} client secrets, ${counts.server_secrets} server secrets, ${counts.suppliers} supplier secrets.\n` +
              (fromFile
                ? `Older keys stay in ${KEY_FILE} for backups taken before now; remove them when those backups expire.\n`
                : 'Every row now uses the first key in QUANYI_MASTER_KEY; the others can be removed once no backup needs them.\n'),
          );
      });
    });
}
