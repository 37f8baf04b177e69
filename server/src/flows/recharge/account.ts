import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../platform/context.ts';
import { tokenHash } from '../../platform/crypto/server-secrets.ts';
import { conflict, fail, gone, validationFailed } from '../../platform/errors.ts';
import { grantAsClientSees, grantByTokenHash, startRechargeGrant } from '../../modules/grants/index.ts';
import { checkAccount, createRechargeOrder, getOrderByGrant, maskAccount } from '../../modules/recharges/index.ts';
import { rechargeStateOf, TOKEN_PATTERN, TokenNotFound, type RechargeState } from '../../modules/redeem/index.ts';
import type { RechargePorts } from './ports.ts';

// The recipient of a direct recharge issued without an account (links, QR codes, bulk lists) gives it on
// the redeem link: POST /v1/redeem/{token}/recharge. In ONE transaction the grant moves issued → pending
// (guarded by the machine, so of concurrent submits exactly one moves it), the recharge order, its first
// attempt and the job are written, and `grant.pending` is recorded. A repeat with the same account answers
// the same; another account once started is 409 recharge_already_started (the first one is being topped up).

export async function submitRechargeAccount(ctx: AppContext, ports: RechargePorts, token: string, rawAccount: string): Promise<RechargeState> {
  if (!TOKEN_PATTERN.test(token)) throw new TokenNotFound();
  const hash = tokenHash(token);
  const g = await grantByTokenHash(ctx.db, hash);
  if (!g) throw new TokenNotFound();
  if (g.kind !== 'direct_recharge') throw conflict('not_a_direct_recharge', 'This entitlement is not a direct recharge; it takes no account.');
  refuseEnded(g);
  const checked = checkAccount(g.account_types, rawAccount);
  if (!checked.ok) throw validationFailed([{ field: 'account', message: checked.message }], `account ${checked.message}.`);

  if (g.status === 'issued') {
    const route = await ports.supplierRoute(ctx.db, g.product_id);
    if (route.length === 0) throw fail('recharge_no_supplier', 'This entitlement cannot be recharged right now (no supplier).');
    const started = await ctx.db.transaction().execute(async (tx) => {
      if (!(await startRechargeGrant(tx, g.id, maskAccount(checked.account)))) return false;
      const first = route[0];
      await createRechargeOrder(tx, {
        grantId: g.id,
        clientId: g.client_id,
        productId: g.product_id,
        account: checked.account,
        secrets: ctx.secrets,
        first: { supplierId: first.supplierId, supplierProductId: first.supplierProductId, unitCostFen: first.unitCostFen },
      });
      const view = (await grantAsClientSees(tx, ctx.config.publicUrl, ctx.secrets, g.id))!;
      await ports.recordEvent(tx, { type: 'grant.pending', clientId: g.client_id, subjectId: g.id, data: view.grant });
      return true;
    });
    if (started) return rechargeStateOf({ ...g, status: 'pending', recipient_account_masked: maskAccount(checked.account) });
  }

  // started already (by an earlier submit, or a concurrent one that won): the same account answers the same
  const now = (await grantByTokenHash(ctx.db, hash))!;
  refuseEnded(now);
  const order = await getOrderByGrant(ctx.db, g.id);
  if (!order) throw gone('grant_expired', 'This entitlement has expired.'); // it expired between the two reads
  const given = ctx.secrets.accountFingerprint(checked.account);
  const stored = Buffer.from(order.account_fp);
  if (stored.length !== given.length || !timingSafeEqual(stored, given)) {
    throw conflict('recharge_already_started', `A recharge to ${order.account_masked} has started already; it cannot be changed to another account.`);
  }
  return rechargeStateOf(now);
}

function refuseEnded(g: { status: string; expires_at: Date | null }) {
  if (g.status === 'voided') throw gone('grant_voided', 'This entitlement was cancelled by the issuer.');
  if (g.status === 'expired' || (g.status === 'issued' && g.expires_at !== null && new Date(g.expires_at) <= new Date())) {
    throw gone('grant_expired', 'This entitlement has expired.');
  }
}
