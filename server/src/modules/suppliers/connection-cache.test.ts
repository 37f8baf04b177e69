import { describe, expect, it } from 'vitest';
import { cachedConnection, forgetConnection } from './connection-cache.ts';

// The opened-connection cache: a burst shares one read, a change in this process is seen at once (even one
// made while a read is in flight), and entries live about a second.
describe('supplier connection cache', () => {
  it('shares one read among a burst and serves it from memory afterwards', async () => {
    const db = {};
    let reads = 0;
    const open = async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 20));
      return { secret: 's' + reads };
    };
    const all = await Promise.all(Array.from({ length: 20 }, () => cachedConnection(db, 'sup_a', open)));
    expect(reads).toBe(1);
    expect(new Set(all.map((c) => c.secret))).toEqual(new Set(['s1']));
    expect((await cachedConnection(db, 'sup_a', open)).secret).toBe('s1');
    expect(reads).toBe(1);
  });

  it('forgets at once on a change, also when the change lands during a read', async () => {
    const db = {};
    let secret = 'old';
    let reads = 0;
    const open = async () => {
      reads++;
      const seen = secret;
      await new Promise((r) => setTimeout(r, 20));
      return { secret: seen };
    };
    expect((await cachedConnection(db, 'sup_b', open)).secret).toBe('old');
    secret = 'new';
    forgetConnection('sup_b');
    expect((await cachedConnection(db, 'sup_b', open)).secret).toBe('new');
    // a read that started before a change must not be cached over it
    secret = 'newer';
    const racing = cachedConnection(db, 'sup_b', async () => ({ secret: 'stale-read' }));
    forgetConnection('sup_b');
    await racing;
    expect((await cachedConnection(db, 'sup_b', open)).secret).toBe('newer');
    expect(reads).toBe(3);
  });

  it('reads again after the entry is a second old', async () => {
    const db = {};
    let reads = 0;
    const open = async () => ({ n: ++reads });
    await cachedConnection(db, 'sup_c', open);
    await new Promise((r) => setTimeout(r, 1_050));
    expect((await cachedConnection(db, 'sup_c', open)).n).toBe(2);
  });
});
