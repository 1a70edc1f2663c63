import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // @stepwise/core resolves to its TypeScript sources, so the dashboard never waits on its build.
    conditions: ['source', ...defaultClientConditions],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      // `npm run dev` talks to a server started with `stepwise serve` on the default port.
      '/api': 'http://127.0.0.1:4319',
    },
  },
});
