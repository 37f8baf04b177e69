import type { Executor } from '../../platform/db/db.ts';
import type { ServerSecrets } from '../../platform/crypto/server-secrets.ts';
import { isSubscribed, recordEvent } from '../webhooks/index.ts';
import { grantAsClientSees } from './recharge-grants.ts';

export type GrantEventType = 'grant.issued' | 'grant.pending' | 'grant.redeemed' | 'grant.failed' | 'grant.expired' | 'grant.voided';

/**
 * Records a webhook event for a grant in the caller's transaction (DESIGN §6): `data` is the grant as
 * GET /v1/grants/{id} shows it to its client, read inside the transaction, so it is the state the event
 * reports. Costs nothing when the client has no endpoint listening for `type`.
 */
export async function recordGrantEvent(
  tx: Executor,
  deps: { config: { publicUrl: string }; secrets: ServerSecrets },
  type: GrantEventType,
  grantId: string,
  clientId: string | null,
): Promise<void> {
  if (!clientId || !(await isSubscribed(tx, clientId, type))) return;
  const g = await grantAsClientSees(tx, deps.config.publicUrl, deps.secrets, grantId);
  if (g) await recordEvent(tx, { type, clientId, subjectId: grantId, data: g.grant });
}
