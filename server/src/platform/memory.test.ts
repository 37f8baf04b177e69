import { describe, expect, it } from 'vitest';
import { keepHeapCompact } from './memory.ts';

describe('keepHeapCompact', () => {
  it("sets the heap's growth unless the operator chose one in the node flags", () => {
    const set: string[] = [];
    expect(keepHeapCompact(['--max-old-space-size=512'], (f) => set.push(f))).toBe(true);
    expect(keepHeapCompact(['--heap-growing-percent=50'], (f) => set.push(f))).toBe(false);
    expect(keepHeapCompact(['--heap_growing_percent=50'], (f) => set.push(f))).toBe(false);
    expect(set).toEqual(['--heap-growing-percent=20']);
  });
});
