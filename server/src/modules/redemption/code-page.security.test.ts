import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTraceLoggedHarness, type Harness } from '../../testutil/harness.ts';
import { CHARSET, generateCode } from './redemption.code.ts';

// The redemption-code page /x/<code> (a QR code on a card carries the code in its path): the code is never
// written into the HTML (the script reads it from the URL), the page is the H5 shell's (nonce CSP, no store,
// no referrer), and the request log keeps only the code's first 2 characters.
let h: Harness;
let logs: () => string;
beforeAll(async () => {
  ({ h, logs } = await createTraceLoggedHarness());
});
afterAll(() => h?.close());

describe('the redemption-code page', () => {
  it('/x/<code>: no code in the HTML or the logs; the shell\'s CSP, no-store and no-referrer', async () => {
    const code = generateCode('', 12);
    for (const path of [`/x/${code}`, `/x/${code.toLowerCase().match(/.{1,4}/g)!.join('-')}`, '/x']) {
      const res = await fetch(h.url + path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html).toContain('兑换码兑换');
      expect(html.toUpperCase()).not.toContain(code.slice(2));
      expect(res.headers.get('content-security-policy')).toMatch(/script-src 'nonce-[^']+'; style-src 'nonce-/);
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    // the alphabet the page's check uses is the server's
    expect(await (await fetch(`${h.url}/x`)).text()).toContain(`&quot;charset&quot;:&quot;${CHARSET}&quot;`);
    await new Promise((r) => setTimeout(r, 100));
    expect(logs()).toContain('/x/');
    expect(logs()).not.toContain(code.slice(2));
    expect(logs()).not.toContain(code.toLowerCase().match(/.{1,4}/g)!.join('-').slice(2)); // nor the dashed, lower-case spelling
  });
});
