import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../platform/db/db.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { runCli } from '../../testutil/cli.ts';
import { seedEmbeddedDataDir } from '../../testutil/database.ts';
import { appendAudit } from './audit.service.ts';

// `quanyi audit head` and `audit verify --expect-head` as an operator runs them, on an embedded data
// directory: a superuser deletes the newest events and rewinds the head row; only the exported head catches it.
// The commands run in-process through the real commander program (testutil/cli.ts: same output and exit
// codes, no Node start-up each); the real binary's process boundary is cli/cli.e2e.test.ts's.
let dataDir: string;

const quanyi = (args: string[]) => runCli(args, { QUANYI_DATA_DIR: dataDir, DATABASE_URL: '', QUANYI_MASTER_KEY: '', LOG_LEVEL: 'silent' });

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openPglite>>) => Promise<T>): Promise<T> {
  const db = await openPglite(dataDir, 'test');
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-audit-'));
  await seedEmbeddedDataDir(dataDir); // the migrated template: initdb and migrations are db.test.ts's
  await withDb(async (d) => {
    expect(await migrate(d)).toEqual([]);
    for (let i = 1; i <= 4; i++) await d.db.transaction().execute((tx) => appendAudit(tx, { actor: 'system', action: 'test.event', target: `t${i}` }));
  });
}, 120_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('quanyi audit head / verify --expect-head', () => {
  it('exports a signed head, then catches deleted newest events with a rewound head (exit 7)', async () => {
    const headFile = path.join(dataDir, 'audit-head.json');
    const head = await quanyi(['audit', 'head', '--json', '--out', headFile]);
    expect(head.code).toBe(0);
    expect(head.json).toMatchObject({ seq: 4, hash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(JSON.parse(fs.readFileSync(headFile, 'utf8'))).toEqual(head.json);
    const expected = `${head.json.seq}:${head.json.hash}`;

    // a database superuser deletes events 3–4 and rewinds the head row: the chain alone stays "intact"
    const two = await withDb(async (d) => {
      const h2 = (await sql<{ hash: string }>`SELECT hash FROM audit_events WHERE seq = 2`.execute(d.db)).rows[0].hash;
      await d.exec(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only;
        DELETE FROM audit_events WHERE seq >= 3;
        UPDATE audit_head SET seq = 2, hash = '${h2}' WHERE id = 1;
        ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only;`);
      return h2;
    });
    // (that a plain `audit verify` passes then is shown in audit-head.test.ts; each command here costs seconds)

    const byValue = await quanyi(['audit', 'verify', '--expect-head', expected]);
    expect(byValue.code).toBe(7);
    expect(byValue.stderr).toMatch(/BROKEN at event 3: the log holds 2 events but the expected head is event 4/);
    const byFile = await quanyi(['audit', 'verify', '--expect-head-file', headFile, '--json']);
    expect(byFile.code).toBe(7);
    expect(byFile.json).toMatchObject({ ok: false, broken_seq: 3 });

    // rewinding the head file too does not help without the master key: its signature no longer matches
    fs.writeFileSync(headFile, JSON.stringify({ ...head.json, seq: 2, hash: two }));
    const forged = await quanyi(['audit', 'verify', '--expect-head-file', headFile]);
    expect(forged.code).toBe(7);
    expect(forged.stderr).toMatch(/REFUSED: the head file signature does not match/);
  }, 240_000);
});
