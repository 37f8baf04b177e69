import { vi } from 'vitest';

// Test files share a worker process (vitest.config.ts: isolate: false), which keeps Node, the dependencies
// and PGlite's compiled WebAssembly loaded from one file to the next. The project's own modules are loaded
// afresh for every file, as in a process of their own: their module-level caches (product kinds by SKU,
// batch keys, subscriptions, registries) never carry one file's database into the next.
vi.resetModules();
