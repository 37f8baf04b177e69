import type { ModuleDefinition } from '../../platform/module.ts';
import { registerClients } from './clients.cli.ts';
import { clientRoutes } from './clients.routes.ts';

// The clients module's front door: client systems that call the signed open API.
export { createClient, listClients, parseScopes, ClientDirectory, type Client, type ClientScope } from './clients.service.ts';
export { clientNames } from './client-names.ts';

export const clientsModule: ModuleDefinition = {
  name: 'clients',
  routes: clientRoutes,
  permissions: { 'clients:read': ['admin'], 'clients:write': ['admin'] },
  cli: registerClients,
};
