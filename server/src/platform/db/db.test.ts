import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DataDirLockedError } from './data-dir-lock.ts';
import { openPglite } from './db.ts';
import { migrate } from './migrate.ts';

describe('embedded database', () => {
  it('refuses a second opener of the same data directory and names the holder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-lock-'));
    const release = acquireDataDirLock(dir, 'quanyi serve');
    try {
      expect(() => acquireDataDirLock(dir, 'quanyi codes import')).toThrow(DataDirLockedError);
      expect(() => acquireDataDirLock(dir, 'quanyi codes import')).toThrow(/in use by process \d+ \(quanyi serve/);
    } finally {
      release();
    }
    // released: the next opener gets it
    acquireDataDirLock(dir, 'again')();
  });

  it('takes over a lock left by a dead process', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-lock-'));
    fs.writeFileSync(path.join(dir, 'quanyi.lock'), JSON.stringify({ pid: 2 ** 22 + 17, command: 'gone', started_at: 'x' }));
    const release = acquireDataDirLock(dir, 'new');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'quanyi.lock'), 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('persists data across reopen and applies migrations once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quanyi-db-'));
    const a = await openPglite(dir, 'test');
    expect((await migrate(a)).length).toBeGreaterThan(0);
    await a.db.insertInto('products').values({ id: 'prd_x', sku: 'X', name: 'x', platform: 'iqiyi', kind: 'card_code', period_unit: null, period_count: null, validity_days: null }).execute();
    await a.close();
    const b = await openPglite(dir, 'test');
    expect(await migrate(b)).toEqual([]);
    const rows = await b.db.selectFrom('products').select('sku').execute();
    expect(rows).toEqual([{ sku: 'X' }]);
    await b.close();
  }, 60_000);
});
