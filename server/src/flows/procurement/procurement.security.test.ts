import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from '../../testutil/harness.ts';
import { chinaDay } from '../../modules/suppliers/index.ts';
import { scanOnce } from './workers.ts';
import { createProcKit, type ProcKit } from './procurement.testkit.ts';

// Bought codes exist in plaintext only between the supplier's answer and the seal: never in a log line (at
// trace level), never in any table outside the batch's ciphertext. Who may do what: finance reads purchases and
// runs reconciliation; only admins and operators buy; support sees neither.
let k: ProcKit;
const logs: string[] = [];
beforeAll(async () => {
  const logStream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(chunk.toString());
      cb();
    },
  });
  k = await createProcKit({ env: { LOG_LEVEL: 'trace' }, logStream });
});
afterAll(() => k?.close());

describe('no plaintext codes', () => {
  it('after a purchase (with a lost answer on the way), no log line and no table row holds a bought code', async () => {
    Object.assign(k.sandbox.knobs, { submitTimeoutNext: 1, submitTimeoutMode: 'hang', submitTimeoutHoldMs: 1000 });
    const p = await k.product({ safetyStock: 1, stocked: 0, reorder: 5 });
    const [opened] = (await scanOnce(k.h.ctx)).filter((po) => po.product_id === p.id);
    const po = await k.waitPurchaseFinal(opened.id);
    expect(po.state).toBe('succeeded');
    // the admin views of it, too, go through the logs
    await k.admin.request('GET', `/v1/admin/procurement/purchases/${po.id}`);
    await k.admin.request('GET', `/v1/admin/procurement/purchases?product=${p.id}`);
    const secrets = k.sandbox.order(po.id)!.cards!.flatMap((c) => [c.cardNumber, c.cardPwd]);
    expect(secrets).toHaveLength(10);
    const logText = logs.join('');
    expect(logText.length).toBeGreaterThan(0);
    for (const s of secrets) expect(logText).not.toContain(s);

    const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(k.h.ctx.db);
    expect(tables.rows.length).toBeGreaterThan(10);
    for (const { table_name } of tables.rows) {
      const rows = await sql<{ t: string }>`SELECT t::text AS t FROM ${sql.table(table_name)} t`.execute(k.h.ctx.db);
      const text = rows.rows.map((r) => r.t).join('\n');
      for (const s of secrets) expect(text, `${table_name} holds a code`).not.toContain(s);
    }
  });
});

describe('roles', () => {
  it('finance reads purchases and runs reconciliation; operators buy but do not import bills; support sees neither', async () => {
    const p = await k.product({ safetyStock: 0, reorder: 1 });
    const day = chinaDay();
    const as = async (role: 'finance' | 'operator' | 'support' | 'auditor') => {
      const a = await k.h.admin(role);
      return {
        listPurchases: (await a.request('GET', '/v1/admin/procurement/purchases')).status,
        buy: (await a.request('POST', '/v1/admin/procurement/purchases', { product: p.sku })).status,
        configure: (await a.request('PUT', `/v1/admin/procurement/products/${p.id}`, { reorder_quantity: 2 })).status,
        fetchBill: (await a.request('POST', `/v1/admin/reconciliation/bills/${k.supplier.id}/${day}/fetch`)).status,
        report: (await a.request('GET', `/v1/admin/reconciliation/${k.supplier.id}/${day}`)).status,
      };
    };
    expect(await as('finance')).toEqual({ listPurchases: 200, buy: 403, configure: 403, fetchBill: 201, report: 200 });
    expect(await as('operator')).toMatchObject({ listPurchases: 200, buy: 201, configure: 200, fetchBill: 403, report: 200 });
    expect(await as('auditor')).toEqual({ listPurchases: 200, buy: 403, configure: 403, fetchBill: 403, report: 200 });
    expect(await as('support')).toEqual({ listPurchases: 403, buy: 403, configure: 403, fetchBill: 403, report: 403 });
    const anonymous = await http(`${k.h.url}/v1/admin/reconciliation/${k.supplier.id}/${day}`, {});
    expect(anonymous.status).toBe(401);
  });
});
