import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../testutil/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h?.close());

describe('API documentation', () => {
  it('serves an OpenAPI 3 document generated from the validation schemas', async () => {
    const res = await fetch(`${h.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as any;
    expect(doc.openapi).toMatch(/^3\./);
    const issue = doc.paths['/v1/grants'].post;
    const body = issue.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['product', 'recipient']));
    expect(body.properties.recipient.properties.phone.pattern).toBeDefined();
    expect(Object.keys(issue.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409']));
    for (const path of ['/v1/grants/{id}', '/v1/grants/{id}/void', '/v1/redeem/{token}', '/v1/redeem/{token}/reveal', '/v1/admin/products', '/v1/admin/audit']) {
      expect(doc.paths[path], path).toBeDefined();
    }
  });

  it('serves human-readable docs at /docs', async () => {
    const res = await fetch(`${h.url}/docs/`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
