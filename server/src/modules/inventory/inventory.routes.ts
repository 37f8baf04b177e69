import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../platform/context.ts';

// Placeholder until the inventory routes land (admin imports, stock, batches).
export async function inventoryRoutes(_app: FastifyInstance, _opts: { ctx: AppContext }) {}
