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

  it('is shaped for tools: operationIds, security on every operation, problem+json errors listing the codes', async () => {
    const doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as any;
    const ops = Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.entries<any>(item).map(([method, op]) => ({ path, method, op })));
    const ids = ops.map((o) => o.op.operationId);
    expect(ids.every(Boolean)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, op } of ops) {
      expect(op.security, path).toBeDefined();
      const errors = Object.entries<any>(op.responses).filter(([s]) => Number(s) >= 400);
      expect(errors.length, path).toBeGreaterThan(0);
      for (const [, r] of errors) expect(Object.keys(r.content ?? {}), path).toEqual(['application/problem+json']);
    }
    expect(doc.paths['/v1/redeem/{token}'].get.security).toEqual([]);
    expect(Object.keys(doc.paths['/v1/grants'].post.security[0]).sort()).toEqual(['quanyiKey', 'quanyiNonce', 'quanyiSignature', 'quanyiTimestamp']);
    expect(doc.paths['/v1/grants'].post.parameters.find((p: any) => p.name === 'idempotency-key').required).toBe(true);
    expect(Object.keys(doc.paths['/v1/grants'].post.responses['429'].headers)).toEqual(expect.arrayContaining(['Retry-After', 'RateLimit-Remaining']));
    expect(doc.components.schemas.Problem.properties.code.enum).toEqual(expect.arrayContaining(['out_of_stock', 'idempotency_key_reused', 'service_unavailable']));
    expect(Object.keys(doc.paths['/v1/admin/imports'].post.requestBody.content)).toEqual(['multipart/form-data']);
  });

  it('serves human-readable docs at /docs', async () => {
    const res = await fetch(`${h.url}/docs/`, { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
