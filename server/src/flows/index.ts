import type { ModuleDefinition, Worker } from '../platform/module.ts';
import { registerKeys } from './keys.cli.ts';
import { registerClientCreate } from './create-client.cli.ts';
import { registerProductCommands } from './products.cli.ts';
import { startExpirySweeper } from './expiry-sweeper.ts';
import { reminderWorker } from './notify-reminders.ts';

// Use cases that span modules declare their workers and commands here, like a module does.
const expirySweeper: Worker = {
  name: 'expiry-sweeper',
  start: (ctx) => startExpirySweeper(ctx),
};

export const flowsModule: ModuleDefinition = {
  name: 'flows',
  workers: [expirySweeper, reminderWorker],
  cli: (program, env) => {
    registerKeys(program, env);
    registerProductCommands(program, env);
    registerClientCreate(program, env);
  },
};
