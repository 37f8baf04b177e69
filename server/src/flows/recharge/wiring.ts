import { AppError } from '../../platform/errors.ts';
import { circuitAllows, recordSupplierCall, supplierConnection, supplierRoute } from '../../modules/suppliers/index.ts';
import { isSubscribed, recordEvent, type WebhookEventType } from '../../modules/webhooks/index.ts';
import type { RechargePorts } from './ports.ts';

// The recharge flows' ports, filled from the suppliers and webhooks front doors.
export const rechargePorts: RechargePorts = {
  supplierRoute: (db, productId) => supplierRoute(db, productId),
  async supplierConnection(ctx, supplierId) {
    try {
      const c = await supplierConnection(ctx, supplierId);
      return { adapter: c.adapter, creds: c.creds, disabled: c.supplier.status !== 'active' };
    } catch (e) {
      // gone, or its adapter is not in this build: nothing can be sent there
      if (e instanceof AppError && e.status < 500) return null;
      throw e;
    }
  },
  circuitAllows,
  recordSupplierCall,
  wantsEvent: (db, clientId, type) => isSubscribed(db, clientId, type),
  async recordEvent(tx, e) {
    await recordEvent(tx, { type: e.type as WebhookEventType, clientId: e.clientId, subjectId: e.subjectId, data: e.data });
  },
};
