import { describe, expect, it } from 'vitest';
import { fenToYuan, yuanToFen } from './money.ts';

describe('元 ↔ 分 by string arithmetic', () => {
  it('converts both ways without floating-point error', () => {
    expect(yuanToFen('19.99')).toBe(1999); // 19.99 * 100 = 1998.9999999999998 in floating point
    expect(yuanToFen('0.1')).toBe(10);
    expect(yuanToFen('15')).toBe(1500);
    expect(yuanToFen('15.')).toBe(1500);
    expect(yuanToFen(' 0.05 ')).toBe(5);
    expect(fenToYuan(1999)).toBe('19.99');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(-150)).toBe('-1.50');
    for (const fen of [0, 1, 10, 99, 100, 1505, 123456789]) expect(yuanToFen(fenToYuan(fen))).toBe(fen);
  });

  it('refuses what is not an amount', () => {
    for (const bad of ['', '1.234', '-1', '1e3', 'abc', '1,000', '.5', '0x10']) expect(yuanToFen(bad)).toBeNull();
  });
});
