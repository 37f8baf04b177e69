import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults for a fresh checkout', () => {
    const c = loadConfig({}, '/srv/quanyi');
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', publicUrl: 'http://localhost:8080', dataDir: '/srv/quanyi/data', dbPoolSize: 12 });
    expect(c.databaseUrl).toBeUndefined();
  });

  it('fails fast naming every bad variable', () => {
    let error: AppError | undefined;
    try {
      loadConfig({ PORT: 'eighty', PUBLIC_URL: 'ftp://x', DATABASE_URL: 'mysql://db', QUANYI_MASTER_KEY: 'c2hvcnQ=', QUANYI_REDEEM_PER_TOKEN_PER_MINUTE: '0', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e as AppError;
    }
    expect(error?.code).toBe('validation_failed');
    expect(error?.errors?.map((e) => e.field).sort()).toEqual(
      ['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL', 'QUANYI_MASTER_KEY', 'QUANYI_REDEEM_PER_TOKEN_PER_MINUTE'].sort(),
    );
    expect(error?.detail).toContain('QUANYI_MASTER_KEY must be base64 of 32 bytes');
  });

  it('accepts several master keys, newest first, for rotation', () => {
    const k = (b: number) => Buffer.alloc(32, b).toString('base64');
    expect(loadConfig({ QUANYI_MASTER_KEY: `${k(1)},${k(2)}` }).masterKey).toBe(`${k(1)},${k(2)}`);
  });
});
