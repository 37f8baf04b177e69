import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { open, seal } from './aes-gcm.ts';

describe('AES-256-GCM sealing', () => {
  it('round-trips any plaintext and never reuses an IV', () => {
    const key = randomBytes(32);
    const ivs = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string(), (bytes, aad) => {
        const pt = Buffer.from(bytes);
        const sealed = seal(key, pt, Buffer.from(aad));
        ivs.add(sealed.subarray(0, 12).toString('hex'));
        expect(open(key, sealed, Buffer.from(aad)).equals(pt)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(ivs.size).toBe(2000);
  });

  it('refuses a tampered ciphertext, a wrong key and a moved ciphertext (other AAD)', () => {
    const key = randomBytes(32);
    const sealed = seal(key, Buffer.from('CARD-1234'), Buffer.from('bat_a'));
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => open(key, flipped, Buffer.from('bat_a'))).toThrow();
    expect(() => open(randomBytes(32), sealed, Buffer.from('bat_a'))).toThrow();
    expect(() => open(key, sealed, Buffer.from('bat_b'))).toThrow();
  });
});
