import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHARSET, checkCharacter, checkCode, formatCode, generateCode, hintOf } from './redemption.code.ts';

// The code format: no look-alikes, and the check character catches every single-character typo and every
// swap of two adjacent different characters before any database lookup.
const body = fc.array(fc.constantFrom(...CHARSET), { minLength: 9, maxLength: 28 }).map((a) => a.join(''));

describe('redemption code format', () => {
  it('has no look-alike characters', () => {
    for (const c of '01OIL') expect(CHARSET).not.toContain(c);
    expect(new Set(CHARSET).size).toBe(31);
  });

  it('generated codes pass the check, with their prefix, and print in groups that type back', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode('VP', 12);
      expect(code).toMatch(/^VP[2-9A-HJKMNP-Z]{13}$/);
      expect(checkCode(code)).toEqual({ ok: true, code });
      expect(checkCode(formatCode(code).toLowerCase())).toEqual({ ok: true, code });
    }
    expect(hintOf('VIPABCDEFGH', 'VIP')).toBe('VIP****FGH');
  });

  it('catches every single substitution', () => {
    fc.assert(
      fc.property(body, fc.nat(), fc.constantFrom(...CHARSET), (b, at, c) => {
        const code = b + checkCharacter(b);
        const i = at % code.length;
        fc.pre(code[i] !== c);
        expect(checkCode(code.slice(0, i) + c + code.slice(i + 1)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('catches every swap of two adjacent different characters', () => {
    fc.assert(
      fc.property(body, fc.nat(), (b, at) => {
        const code = b + checkCharacter(b);
        const i = at % (code.length - 1);
        fc.pre(code[i] !== code[i + 1]);
        expect(checkCode(code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2)).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('says why a code is refused', () => {
    expect(checkCode('ABC')).toEqual({ ok: false, reason: 'length' });
    expect(checkCode('ABCDEFGH0K')).toEqual({ ok: false, reason: 'charset' });
  });
});
