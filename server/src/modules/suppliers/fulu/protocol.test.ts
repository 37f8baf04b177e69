// The gateway protocol's building blocks (DESIGN §11), against vectors computed by an independent
// implementation (Python's json/sorted/hashlib and the openssl CLI), plus properties over random input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptCardField, encryptCardField } from './card-crypto.ts';
import { numericField, productIdField } from './fields.ts';
import { fenToYuan, yuanToFen } from './money.ts';
import {
  buildRequest,
  formatChinaTime,
  parseChinaTime,
  signObject,
  signResult,
  signText,
  sortCodePoints,
  timestampInWindow,
  verifyObject,
  verifyResult,
} from './protocol.ts';

const SECRET = '0a091b3aa4324435aab703142518a8f7';

describe('sign', () => {
  it('matches an independent implementation, "/" and non-ASCII unescaped', () => {
    const request = {
      app_key: 'i4esv1l+76l/7NQCL3QudG90Fq+YgVfFGJAWgT+7qO1Bm9o/adG/1iwO2qXsAXNB',
      method: 'fulu.order.direct.add',
      timestamp: '2026-11-29 22:15:00',
      version: '2.0',
      format: 'json',
      charset: 'utf-8',
      sign_type: 'md5',
      app_auth_token: '',
      biz_content: JSON.stringify({ product_id: 10000585, customer_order_no: 'rco_01/中文-1', charge_account: '13800138000', buy_num: 1 }),
    };
    expect(signObject(request, SECRET)).toBe('f6873993150cb9ca214a24bcf568533b');
    // `sign` itself is left out, and key order does not matter (the characters are sorted)
    const reordered = Object.fromEntries(Object.entries(request).reverse());
    expect(signObject({ ...reordered, sign: 'whatever' }, SECRET)).toBe('f6873993150cb9ca214a24bcf568533b');
  });

  it('sorts by code point: an astral character sorts after U+FF01 (a UTF-16 sort would put it first)', () => {
    expect(signObject({ x: '😀！a/é' }, '秘密')).toBe('15968405bad475fc317ac60499cc1a92');
  });

  it('signs a response over its result', () => {
    expect(signResult('{"name":"沙箱","balance":"12.3400","is_open":1}', SECRET)).toBe('5b6cccf543982da19c2f90e741e3a31f');
  });

  it('refuses an empty, missing, upper-case, padded or wrong sign', () => {
    const req = buildRequest('k', SECRET, 'fulu.user.info.get', {});
    expect(verifyObject(req as unknown as Record<string, unknown>, SECRET)).toBe(true);
    for (const sign of ['', undefined, null, 0, req.sign.toUpperCase(), ` ${req.sign}`, `${req.sign}0`, req.sign.slice(0, 31), 'g'.repeat(32)]) {
      expect(verifyObject({ ...req, sign } as Record<string, unknown>, SECRET)).toBe(false);
    }
    const { sign: _s, ...unsigned } = req;
    expect(verifyObject(unsigned, SECRET)).toBe(false);
    expect(verifyResult('', '', SECRET)).toBe(false);
    expect(verifyResult(undefined, signResult('', SECRET), SECRET)).toBe(false);
    expect(verifyResult('', signResult('', SECRET), SECRET)).toBe(true);
  });

  const text = fc.string({ unit: 'grapheme', maxLength: 40 });
  const obj = fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }).filter((k) => k !== 'sign'), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 6 });

  it('property: whatever is signed verifies after a JSON round trip, with the right secret only', () => {
    fc.assert(
      fc.property(obj, fc.string({ minLength: 1, maxLength: 40 }), (o, secret) => {
        const signed = JSON.parse(JSON.stringify({ ...o, sign: signObject(o, secret) }));
        expect(verifyObject(signed, secret)).toBe(true);
        expect(verifyObject(signed, secret + 'x')).toBe(false);
      }),
    );
  });

  it('property: changing any value breaks the signature', () => {
    fc.assert(
      fc.property(obj.filter((o) => Object.keys(o).length > 0), text, fc.nat(), (o, replacement, pick) => {
        const key = Object.keys(o)[pick % Object.keys(o).length];
        fc.pre(JSON.stringify(o[key]) !== JSON.stringify(replacement));
        // sorted characters only see the multiset of characters: a permutation of one value's characters
        // keeps the sign (a property of the protocol); any other change must not
        const sorted = (s: string) => Array.from(s).sort().join('');
        fc.pre(sorted(JSON.stringify(o[key])) !== sorted(JSON.stringify(replacement)));
        const tampered = { ...o, [key]: replacement, sign: signObject(o, SECRET) };
        expect(verifyObject(tampered, SECRET)).toBe(false);
      }),
    );
  });

  it('property: a tampered result fails its response sign', () => {
    fc.assert(
      fc.property(text, text, (result, other) => {
        fc.pre(Array.from(result).sort().join('') !== Array.from(other).sort().join(''));
        expect(verifyResult(other, signResult(result, SECRET), SECRET)).toBe(false);
        expect(verifyResult(result, signResult(result, SECRET), SECRET)).toBe(true);
      }),
    );
  });

  it('signText is MD5 of sorted characters + secret, lowercase', () => {
    expect(signText('', '')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(signText('cba', '')).toBe(signText('abc', ''));
  });
});

describe('timestamps (China time, ±600 s)', () => {
  it('formats and parses UTC+8', () => {
    expect(formatChinaTime(Date.UTC(2026, 10, 29, 16, 30, 5))).toBe('2026-11-30 00:30:05');
    expect(parseChinaTime('2026-11-30 00:30:05')).toBe(Date.UTC(2026, 10, 29, 16, 30, 5));
  });

  it('refuses anything else', () => {
    for (const t of ['2026-02-30 10:00:00', '2026-11-29T22:15:00', '2026-11-29 22:15', '2026-11-29 24:00:00', ' 2026-11-29 22:15:00', 1764425700, null, '']) {
      expect(parseChinaTime(t)).toBeNull();
    }
  });

  it('accepts within 600 s either way, refuses beyond', () => {
    const now = Date.UTC(2026, 10, 29, 14, 0, 0);
    expect(timestampInWindow(formatChinaTime(now - 600_000), now)).toBe(true);
    expect(timestampInWindow(formatChinaTime(now + 600_000), now)).toBe(true);
    expect(timestampInWindow(formatChinaTime(now - 601_000), now)).toBe(false);
    expect(timestampInWindow(formatChinaTime(now + 601_000), now)).toBe(false);
    // a UTC wall-clock timestamp is 8 hours off: refused
    expect(timestampInWindow(new Date(now).toISOString().slice(0, 19).replace('T', ' '), now)).toBe(false);
  });
});

describe('money: 元 decimal strings ⇄ integer 分', () => {
  it('converts by string arithmetic', () => {
    expect(yuanToFen('0.29')).toBe(29); // 0.29 * 100 = 28.999999999999996 in floating point
    expect(yuanToFen('12')).toBe(1200);
    expect(yuanToFen('12.3')).toBe(1230);
    expect(yuanToFen('12.3400')).toBe(1234);
    expect(yuanToFen('9.8650')).toBe(987); // sub-分 digits round half away from zero
    expect(yuanToFen('9.8649')).toBe(986);
    expect(yuanToFen('-1.50')).toBe(-150);
    expect(yuanToFen('1234567890123.99')).toBe(123456789012399);
    expect(yuanToFen(10.5)).toBe(1050);
    expect(fenToYuan(1234)).toBe('12.34');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(0, 4)).toBe('0.0000');
    expect(fenToYuan(-150)).toBe('-1.50');
  });

  it('rejects garbage', () => {
    for (const bad of ['', ' 1', '1 ', '1.', '.5', '1.23456', '1e3', '0x10', '１２', '1,000', '+1', 'NaN', '--1', '12345678901234', null, undefined, {}, Infinity, 1e21]) {
      expect(yuanToFen(bad)).toBeNull();
    }
  });

  it('property: 分 → 元 → 分 is the identity', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), fc.constantFrom(2 as const, 4 as const), (fen, d) => {
        expect(yuanToFen(fenToYuan(fen, d))).toBe(fen);
      }),
    );
  });
});

describe('card transport encryption: AES-256-ECB, PKCS#7, key = UTF-8 secret zero-padded / cut to 32 bytes', () => {
  it('matches openssl', () => {
    expect(encryptCardField('CARD-卡密-0001', SECRET)).toBe('lYqFBRMZGq/YsbrrfEIkXPmgyWWYfaxWVPjsyVI+HT0=');
    expect(decryptCardField('lYqFBRMZGq/YsbrrfEIkXPmgyWWYfaxWVPjsyVI+HT0=', SECRET)).toBe('CARD-卡密-0001');
    expect(decryptCardField('AiVf2bnIhxSTqwWXWDgfLA==', 'short')).toBe('pwd/123'); // zero-padded key
    expect(decryptCardField('k2rK3a6xgg+dfMVBkkwKUw==', '0123456789abcdef0123456789abcdefEXTRA')).toBe('x'); // cut key
  });

  it('answers null for a wrong key or malformed input, never throws', () => {
    const enc = encryptCardField('secret-code', SECRET);
    expect(decryptCardField(enc, 'another secret')).toBeNull();
    for (const bad of ['', 'not base64!', 'AAAA', enc.slice(0, -4), `${enc}\n`, null, 42]) expect(decryptCardField(bad, SECRET)).toBeNull();
  });

  it('property: decrypt(encrypt(x)) = x', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ maxLength: 48 }), (plain, secret) => {
      expect(decryptCardField(encryptCardField(plain, secret), secret)).toBe(plain);
    }));
  });
});

describe('numeric-string tolerance', () => {
  it('accepts JSON numbers and digit strings for product_id / buy_num, nothing else', () => {
    expect(numericField(3)).toBe(3);
    expect(numericField('3')).toBe(3);
    expect(productIdField('10000585')).toBe('10000585');
    expect(productIdField(10000585)).toBe('10000585');
    for (const bad of ['', ' 3', '3.0', '-3', '3a', 3.5, -1, NaN, null, true, '1e3', '9'.repeat(16)]) expect(numericField(bad)).toBeNull();
  });
});

describe('sortCodePoints', () => {
  it('property: the fast path (no surrogates) and the slow path both equal a plain code-point sort', () => {
    const strings = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('a', 'Z', '/', 'é', '中', '！', '\uffff', '\u0000'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(strings, (s) => {
        const reference = Array.from(s).sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!).join('');
        expect(sortCodePoints(s)).toBe(reference);
      }),
    );
  });
});
