import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../platform/cli/output.ts';
import { harnessCliEnvironment } from '../../testutil/harness-cli.ts';
import { codeMachine } from '../../modules/inventory/index.ts';

// `quanyi bulk issue`: the console's upload from the command line, issued by the command itself.
const env = harnessCliEnvironment('qy-bulk-');
const { dir, quanyi } = env;

describe('quanyi bulk issue', () => {
  it('issues a list, reports rejected rows, and exits 4 when some rows were not issued', async () => {
    const client = await env.h.client();
    const c = await env.h.ctx.db.selectFrom('clients').select('name').where('id', '=', client.id).executeTakeFirstOrThrow();
    const product = await env.h.product();
    await env.h.stock(product.id, 10);
    const file = path.join(dir, 'list.csv');
    fs.writeFileSync(file, 'phone,external_id\n13900000001,a\n13900000002,b\nxx,c\n');
    const r = await quanyi('bulk', 'issue', '--client', c.name, '--product', product.sku, '--file', file, '--json');
    expect(r.code).toBe(EXIT.conflict);
    expect(r.json).toMatchObject({ status: 'completed', source_name: 'list.csv', progress: { total: 3, issued: 2, rejected: 1 } });
    const ok = path.join(dir, 'ok.csv');
    fs.writeFileSync(ok, 'external_id\nz1\n');
    expect((await quanyi('bulk', 'issue', '--client', client.id, '--product', product.sku, '--file', ok, '--json')).code).toBe(EXIT.ok);
    expect((await quanyi('bulk', 'issue', '--client', 'nobody', '--product', product.sku, '--file', ok, '--json')).code).toBe(EXIT.notFound);
    expect((await quanyi('bulk', 'issue', '--client', client.id, '--file', path.join(dir, 'missing.csv'), '--json')).code).toBe(EXIT.notFound);
  });

  it('the set claim (quanyi_claim_codes) guards as the code machine says and keeps the claim plan pinned', async () => {
    const r = await sql<{ prosrc: string; proconfig: string[] }>`SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'quanyi_claim_codes'`.execute(env.h.ctx.db);
    expect(r.rows[0].proconfig).toEqual(expect.arrayContaining(['enable_seqscan=off', 'enable_sort=off', 'enable_bitmapscan=off']));
    expect([...r.rows[0].prosrc.matchAll(/status\s*=\s*'(\w+)'/g)].map((m) => m[1])).toEqual([...codeMachine.sourcesOf('claim'), codeMachine.targetOf('claim')]);
  });
});
