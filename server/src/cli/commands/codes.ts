import type { Command } from 'commander';
import type { CommandEnv } from '../main.ts';

// Placeholder until `quanyi codes import` and `quanyi stock` land.
export function registerCodes(_program: Command, _env: CommandEnv) {}
