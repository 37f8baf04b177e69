import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('group commit', () => {
  it('a lone item leaves at once; under load batches fill while earlier ones run, never more running than allowed', async () => {
    const batches: number[][] = [];
    let running = 0;
    let most = 0;
    const apply = groupCommit<number, number>(
      async (items) => {
        running++;
        most = Math.max(most, running);
        batches.push([...items]);
        await tick(20);
        running--;
        return items.map((x) => x * 2);
      },
      { maxBatch: 8, maxInFlight: 2 },
    );
    expect(await apply(1)).toBe(2);
    expect(batches).toEqual([[1]]);

    batches.length = 0;
    const all = Array.from({ length: 40 }, (_, i) => i);
    // items arrive one per millisecond or so, as requests would
    const results = await Promise.all(all.map(async (i) => (await tick(i % 10), apply(i))));
    expect(results).toEqual(all.map((i) => i * 2));
    expect(most).toBe(2);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(all);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(8);
    // batching happened: far fewer batches than items
    expect(batches.length).toBeLessThan(20);
  });

  it('an Error answered for one item rejects that item only; a throwing batch rejects all of its items', async () => {
    const apply = groupCommit<number, number>(async (items) => {
      if (items.includes(99)) throw new Error('batch refused');
      return items.map((x) => (x === 3 ? new Error('three') : x));
    }, { maxBatch: 10, maxInFlight: 1 });
    const r = await Promise.allSettled([1, 2, 3].map((x) => apply(x)));
    expect(r.map((x) => (x.status === 'fulfilled' ? x.value : (x.reason as Error).message))).toEqual([1, 2, 'three']);
    const failed = await Promise.allSettled([4, 99].map((x) => apply(x)));
    expect(failed.map((x) => x.status === 'rejected' && (x.reason as Error).message)).toEqual(['batch refused', 'batch refused']);
    // and the batcher goes on
    expect(await apply(5)).toBe(5);
  });
});
