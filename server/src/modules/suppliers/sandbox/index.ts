// The sandbox supplier's surface for the suppliers module's index.ts (which re-exports it).
export { startSandboxSupplier, type SandboxOptions, type SandboxSupplier } from './sandbox.server.ts';
export { DEFAULT_KNOBS, type SandboxKnobs } from './knobs.ts';
export { registerSandboxCommand } from './sandbox.cli.ts';
