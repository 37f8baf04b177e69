import { describe, expect, it } from 'vitest';
import { rangeQuery } from './range.ts';

describe('audit time range', () => {
  it('reads the picker in China time and sends UTC', () => {
    expect(rangeQuery(['2026-01-02 08:00:00', '2026-01-03 00:00:00'])).toEqual({ from: '2026-01-02T00:00:00.000Z', to: '2026-01-02T16:00:00.000Z' });
  });
  it('leaves out an empty side', () => {
    expect(rangeQuery(undefined)).toEqual({ from: undefined, to: undefined });
    expect(rangeQuery(['2026-01-02 08:00:00', ''])).toEqual({ from: '2026-01-02T00:00:00.000Z', to: undefined });
  });
});
