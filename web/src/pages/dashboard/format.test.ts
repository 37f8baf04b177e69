import { describe, expect, it } from 'vitest';
import { count, days, duration, percent, yuan } from './format.ts';

describe('dashboard figures on screen', () => {
  it('writes money in 元 with two decimals and separators, exactly', () => {
    expect(yuan(0)).toBe('¥0.00');
    expect(yuan(1999)).toBe('¥19.99');
    expect(yuan(123456789)).toBe('¥1,234,567.89');
    expect(yuan(-150)).toBe('-¥1.50');
  });
  it('writes rates, latencies, counts and days, with a dash for a figure that does not exist', () => {
    expect(percent(null)).toBe('-');
    expect(percent(0)).toBe('0.0%');
    expect(percent(2 / 3)).toBe('66.7%');
    expect(percent(1)).toBe('100.0%');
    expect(duration(null)).toBe('-');
    expect(duration(850)).toBe('850 ms');
    expect(duration(12500)).toBe('12.5 s');
    expect(count(1234567)).toBe('1,234,567');
    expect(days(null)).toBe('-');
    expect(days(3.456)).toBe('3.5');
    expect(days(42.6)).toBe('43');
  });
});
