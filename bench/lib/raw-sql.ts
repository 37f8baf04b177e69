import { createHash, randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ClosedLoop } from './stats.ts';

// The raw-SQL ceiling: the statement `issueGrant` sends (find the product, quanyi_claim_code, INSERT INTO
// grants, return the grant joined with its product), sent straight from `concurrency` pg connections with
// the per-request values computed in JavaScript. No HTTP, no signature, no nonce, no JSON schema.
const CLAIM_AND_RECORD = `
  WITH p AS (
    SELECT id, validity_days, p.sku, p.name, p.platform, p.kind, p.period_unit, p.period_count, p.renewal FROM products p
     WHERE (p.id = $1 OR p.sku = $1) AND p.status = 'active' AND p.kind IN ('card_code', 'link')
  ), c AS (
    SELECT p.*, quanyi_claim_code(p.id, $2) AS code_id FROM p
  ), ins AS (
    INSERT INTO grants (id, client_id, product_id, status, recipient_external_id, recipient_phone_enc,
                        recipient_phone_masked, recipient_phone_fp, recipient_email, out_order_no,
                        idempotency_key, request_hash, metadata, token_hash, code_id, expires_at, issued_by)
    SELECT $2, $3, c.id, 'issued', $4, NULL, NULL, NULL, NULL, NULL, $5, $6, '{}'::jsonb, $7, c.code_id,
           COALESCE(NULL::timestamptz, now() + make_interval(days => COALESCE(c.validity_days, 365::int))), $3
      FROM c WHERE c.code_id IS NOT NULL
    RETURNING *
  )
  SELECT ins.id, ins.status, ins.product_id, p.sku, p.name, p.platform, p.kind, p.period_unit, p.period_count, p.renewal,
         ins.recipient_external_id, ins.recipient_phone_masked, ins.recipient_email, ins.out_order_no, ins.metadata,
         ins.expires_at, ins.created_at, ins.redeemed_at, ins.ended_at
    FROM ins JOIN p ON p.id = ins.product_id`;

export async function rawClaimLoad(dbUrl: string, clientId: string, sku: string, concurrency: number) {
  const conns = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new pg.Client({ connectionString: dbUrl, application_name: 'quanyi-bench-raw' });
      await c.connect();
      return c;
    }),
  );
  let seq = 0;
  const loop = new ClosedLoop(
    concurrency,
    async (w) => {
      const id = 'grt_bench' + randomBytes(10).toString('hex');
      const r = await conns[w].query(CLAIM_AND_RECORD, [
        sku,
        id,
        clientId,
        `bench-user-${w}-${seq++}`,
        randomUUID(),
        createHash('sha256').update(id).digest('hex'),
        randomBytes(32),
      ]);
      if (r.rowCount !== 1) throw Object.assign(new Error('out of stock'), { code: 'no_row' });
    },
    (e) => (e as { code?: string }).code ?? String(e),
  );
  return {
    loop,
    close: async () => {
      await Promise.all(conns.map((c) => c.end().catch(() => undefined)));
    },
  };
}
