import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by `quanyi serve` under /admin/ (server/src/platform/http/console.ts). In development
// (`npm run dev`), Vite serves it with HMR at http://localhost:5173/admin/ and proxies the API to a running
// server (QUANYI_URL, default http://localhost:8080).
const target = process.env.QUANYI_URL ?? 'http://localhost:8080';

export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  // Vite puts this nonce on the tags it writes; the server replaces the placeholder with a fresh nonce per
  // response and names it in the Content-Security-Policy. Ant Design reads it from the meta tag.
  html: { cspNonce: '__CSP_NONCE__' },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/v1': { target, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // read by scripts/bundle-size.mjs (the route budgets); a dotfile the server does not serve
    manifest: true,
  },
});
