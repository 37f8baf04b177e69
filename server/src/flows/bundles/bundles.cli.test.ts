import { describe, expect, it } from 'vitest';
import { embeddedCli } from '../../testutil/cli.ts';

// `quanyi products create --kind bundle|choice_pack --components … [--pick k]` as an operator runs them (in-process through the real commander program).
const quanyi = embeddedCli('quanyi-bundles-cli-');

describe('quanyi products create --kind bundle / choice_pack', () => {
  it('creates packs from existing products and refuses nesting and k > n, creating nothing', async () => {
    for (const sku of ['TX-1M', 'QQM-1M']) {
      const r = await quanyi(['products', 'create', '--sku', sku, '--name', sku, '--platform', 'x', '--json']);
      expect(r.code, r.stderr).toBe(0);
    }
    const bundle = await quanyi(['products', 'create', '--sku', 'HOME-PACK', '--name', '追剧宅家礼包', '--platform', 'mixed', '--kind', 'bundle', '--components', 'TX-1M,QQM-1M', '--price', '3000', '--json']);
    expect(bundle.code, bundle.stderr).toBe(0);
    expect(bundle.json).toMatchObject({ sku: 'HOME-PACK', kind: 'bundle', price: 3000 });
    const pack = await quanyi(['products', 'create', '--sku', 'AV-PICK1', '--name', '视听自选包', '--platform', 'mixed', '--kind', 'choice_pack', '--pick', '1', '--components', 'TX-1M,QQM-1M', '--json']);
    expect(pack.code, pack.stderr).toBe(0);
    expect(pack.json.kind).toBe('choice_pack');

    const nested = await quanyi(['products', 'create', '--sku', 'NESTED', '--name', 'n', '--platform', 'x', '--kind', 'bundle', '--components', 'TX-1M,HOME-PACK', '--json']);
    expect([nested.code, nested.json.error]).toEqual([3, 'bundle_component_invalid']);
    const tooMany = await quanyi(['products', 'create', '--sku', 'K3', '--name', 'k', '--platform', 'x', '--kind', 'choice_pack', '--pick', '3', '--components', 'TX-1M,QQM-1M', '--json']);
    expect([tooMany.code, tooMany.json.error]).toEqual([3, 'pick_count_invalid']);
  });
});
