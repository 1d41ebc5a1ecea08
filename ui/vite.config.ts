import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The dashboard: built into dist/ui and served by the gateway at /ui/ (src/dashboard/serve-ui.ts). */
export default defineConfig({
  root: here,
  base: '/ui/',
  publicDir: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: { react: 'preact/compat', 'react-dom': 'preact/compat' },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // No inline scripts or data: the gateway's CSP allows files from itself only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    sourcemap: false,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` during development, against a gateway on :8080.
    proxy: { '/admin': 'http://127.0.0.1:8080', '/auth': 'http://127.0.0.1:8080' },
  },
});
