import { defineConfig } from 'vitest/config';

// Unit tests of the console's plain modules (messages, money arithmetic). The console in a real browser is
// tested from the server workspace (server/src/platform/http/console.browser.test.ts), against the real server.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], environment: 'node' } });
