import { describe, expect, it } from 'vitest';
import enUS from './en-US.ts';
import zhCN from './zh-CN.ts';

// Every string of the console comes from these catalogs: both must have exactly the same keys, no value may
// be empty, and placeholders ({name}) must match, or a page shows a key or a hole in one language.
function leaves(obj: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v as object, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  const zh = leaves(zhCN);
  const en = leaves(enUS);

  it('zh-CN and en-US have exactly the same keys', () => {
    expect([...en.keys()].sort()).toEqual([...zh.keys()].sort());
    expect(zh.size).toBeGreaterThan(100);
  });

  it('no message is empty', () => {
    for (const [lang, map] of [['zh-CN', zh], ['en-US', en]] as const) {
      const empty = [...map].filter(([, v]) => v.trim() === '').map(([k]) => `${lang}:${k}`);
      expect(empty).toEqual([]);
    }
  });

  it('the same placeholders in both languages', () => {
    const differ = [...zh].filter(([k, v]) => placeholders(v).join() !== placeholders(en.get(k) ?? '').join()).map(([k]) => k);
    expect(differ).toEqual([]);
  });
});
